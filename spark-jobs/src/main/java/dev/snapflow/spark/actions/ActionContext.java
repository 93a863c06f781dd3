package dev.snapflow.spark.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.spark.OutputLocation;
import dev.snapflow.spark.OutputWriter;
import dev.snapflow.spark.SparkPaths;
import org.apache.spark.sql.SparkSession;

import java.time.Instant;
import java.util.List;

/**
 * What an action gets to do its work: the session, its validated params, the committed input manifest (the
 * exact files to read) and where its output goes.
 */
public record ActionContext(SparkSession spark, JobArguments args, JsonNode params, Manifest input,
                            String inputBucket, OutputLocation output, OutputWriter writer, Instant startedAt) {

    /** The input's data files as s3a paths: exactly the manifest's list, never a directory listing. */
    public String[] inputPaths() {
        List<String> paths = input.files().stream().map(f -> SparkPaths.s3a(inputBucket, f.key())).toList();
        return paths.toArray(String[]::new);
    }
}
