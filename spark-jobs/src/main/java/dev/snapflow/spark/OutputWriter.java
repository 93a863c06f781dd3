package dev.snapflow.spark;

import dev.snapflow.contracts.storage.Manifest;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.StructField;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes a result as Parquet into the attempt prefix of its output and describes what landed there: the
 * data files (listed from the attempt's own prefix, which nobody else writes) with their bytes and the row
 * counts from their Parquet footers. Nothing here is visible to readers until a manifest names it.
 */
public final class OutputWriter {
    private final ManifestStore store;
    private final Configuration hadoopConf;

    public OutputWriter(ManifestStore store, Configuration hadoopConf) {
        this.store = store;
        this.hadoopConf = hadoopConf;
    }

    public WrittenOutput write(Dataset<Row> data, OutputLocation location) {
        data.write().mode(SaveMode.ErrorIfExists).parquet(location.attemptPath());
        List<Manifest.DataFile> files = new ArrayList<>();
        long rows = 0;
        long bytes = 0;
        List<ManifestStore.StoredObject> objects = new ArrayList<>(store.listAttempt(location.attemptPrefix()));
        objects.sort(Comparator.comparing(ManifestStore.StoredObject::key));
        for (ManifestStore.StoredObject object : objects) {
            String relative = object.key().substring(location.attemptPrefix().key().length());
            if (!relative.endsWith(".parquet") || relative.contains("/")) {
                continue; // _SUCCESS, committer leftovers: not data
            }
            long fileRows = footerRows(SparkPaths.s3a(location.bucket(), object.key()));
            files.add(new Manifest.DataFile(object.key(), object.bytes(), fileRows, null));
            rows += fileRows;
            bytes += object.bytes();
        }
        List<Manifest.Column> schema = new ArrayList<>();
        for (StructField field : data.schema().fields()) {
            schema.add(new Manifest.Column(field.name(), field.dataType().simpleString(), field.nullable()));
        }
        return new WrittenOutput(location, files, rows, bytes, schema);
    }

    private long footerRows(String path) {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(path), hadoopConf))) {
            return reader.getRecordCount();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the footer of " + path, e);
        }
    }
}
