package dev.snapflow.local.cli;

import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.ManifestCodec;
import dev.snapflow.contracts.storage.S3Uri;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The rows of a committed output (its manifest's Parquet files, downloaded through the S3 API and read with
 * DuckDB), printed as a table.
 */
final class OutputTable {
    private OutputTable() {
    }

    /** Reads the manifest at {@code manifestUri} and prints its first {@code limit} rows; returns the row count. */
    static long print(S3Client s3, String manifestUri, int limit, PrintWriter out) {
        S3Uri uri = S3Uri.parse("manifest", manifestUri);
        Manifest manifest = ManifestCodec.fromJson(s3.getObjectAsBytes(b -> b.bucket(uri.bucket()).key(uri.key())).asByteArray());
        Path dir;
        try {
            dir = Files.createTempDirectory("snapflow-output-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            List<String> files = new ArrayList<>();
            for (Manifest.DataFile file : manifest.files()) {
                Path local = dir.resolve(files.size() + "-" + Path.of(file.key()).getFileName());
                s3.getObject(b -> b.bucket(uri.bucket()).key(file.key()), local);
                files.add("'" + local.toString().replace("'", "''") + "'");
            }
            if (files.isEmpty()) {
                out.println("  (no rows)");
                return 0;
            }
            String source = "read_parquet([" + String.join(", ", files) + "])";
            try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                 Statement statement = duck.createStatement()) {
                long rows;
                try (ResultSet count = statement.executeQuery("SELECT count(*) FROM " + source)) {
                    count.next();
                    rows = count.getLong(1);
                }
                try (ResultSet result = statement.executeQuery("SELECT * FROM " + source + " ORDER BY ALL LIMIT " + limit)) {
                    printTable(result, out);
                }
                return rows;
            } catch (SQLException e) {
                throw new CliException("cannot read the output's Parquet files: " + e.getMessage());
            }
        } finally {
            deleteRecursively(dir);
        }
    }

    static void printTable(ResultSet result, PrintWriter out) throws SQLException {
        ResultSetMetaData meta = result.getMetaData();
        int columns = meta.getColumnCount();
        List<String[]> rows = new ArrayList<>();
        String[] header = new String[columns];
        for (int c = 0; c < columns; c++) {
            header[c] = meta.getColumnLabel(c + 1);
        }
        rows.add(header);
        while (result.next()) {
            String[] row = new String[columns];
            for (int c = 0; c < columns; c++) {
                Object value = result.getObject(c + 1);
                row[c] = value == null ? "" : value.toString();
            }
            rows.add(row);
        }
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (int r = 0; r < rows.size(); r++) {
            StringBuilder line = new StringBuilder("  ");
            for (int c = 0; c < columns; c++) {
                line.append(String.format("%-" + widths[c] + "s", rows.get(r)[c])).append(c + 1 < columns ? "  " : "");
            }
            out.println(line.toString().stripTrailing());
            if (r == 0) {
                out.println("  " + java.util.Arrays.stream(widths).mapToObj("-"::repeat).collect(Collectors.joining("  ")));
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
