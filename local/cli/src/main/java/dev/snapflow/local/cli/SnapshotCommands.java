package dev.snapflow.local.cli;

import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.local.sampledata.PublishedSnapshot;
import dev.snapflow.local.sampledata.SnapshotAlreadyCommittedException;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import dev.snapflow.local.stack.S3Endpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code snapflow snapshot upload}: local files published as a committed raw snapshot (manifest last). */
@Command(name = "snapshot", mixinStandardHelpOptions = true, description = "Raw snapshots in object storage.",
        subcommands = SnapshotCommands.Upload.class)
final class SnapshotCommands {

    @Command(name = "upload", mixinStandardHelpOptions = true,
            description = "Publish a CSV, JSON Lines or Parquet file (or a folder of them) as a committed raw snapshot.")
    static final class Upload implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "PATH", description = "a .csv, .jsonl/.json or .parquet file, or a folder of one format") Path path;
        @Option(names = "--tenant", required = true) String tenant;
        @Option(names = "--entity", required = true) String entity;
        @Option(names = "--data-version", required = true, description = "e.g. 2024-06-01 (immutable once committed)") String dataVersion;
        @Option(names = "--s3-endpoint", defaultValue = "${env:SNAPFLOW_S3_ENDPOINT:-http://127.0.0.1:9000}") URI s3Endpoint;
        @Option(names = "--bucket", defaultValue = "${env:SNAPFLOW_S3_BUCKET:-snapflow}") String bucket;
        @Option(names = "--region", defaultValue = "${env:SNAPFLOW_S3_REGION:-us-east-1}") String region;
        @Option(names = "--access-key", defaultValue = "${env:AWS_ACCESS_KEY_ID:-snapflow}") String accessKey;
        @Option(names = "--secret-key", defaultValue = "${env:AWS_SECRET_ACCESS_KEY:-snapflow-local-secret}") String secretKey;
        @Option(names = "--output", defaultValue = "table") ApiOptions.Output output;

        @Override
        public Integer call() {
            List<Path> files = files(path);
            SnapshotRef ref;
            try {
                ref = new SnapshotRef(tenant, entity, dataVersion);
            } catch (RuntimeException e) {
                throw new CliException(e.getMessage());
            }
            S3Endpoint endpoint = new S3Endpoint(s3Endpoint, region, accessKey, secretKey, bucket);
            PublishedSnapshot published;
            try (S3Client s3 = endpoint.newClient()) {
                published = new SnapshotPublisher(s3, bucket).publishFiles(ref, files);
            } catch (SnapshotAlreadyCommittedException e) {
                throw new CliException(tenant + "/" + entity + "/" + dataVersion + " is already committed (snapshots are immutable; use another --data-version)");
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            } catch (SdkClientException e) {
                throw new CliException("cannot reach the S3 API at " + s3Endpoint + " (is `snapflow up` running?): " + e.getMessage());
            } catch (IOException e) {
                throw new CliException("cannot read " + path + ": " + e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            if (output == ApiOptions.Output.json) {
                ProcessCommands.printJson(out, ApiClient.JSON.createObjectNode()
                        .put("manifest", published.manifestUri().toString())
                        .put("files", published.manifest().files().size())
                        .put("bytes", published.manifest().bytes()));
            } else {
                out.printf("Committed %s (%d files, %,d bytes)%n", published.manifestUri(),
                        published.manifest().files().size(), published.manifest().bytes());
                out.flush();
            }
            return 0;
        }

        static List<Path> files(Path path) {
            if (Files.isRegularFile(path)) {
                return List.of(path);
            }
            if (!Files.isDirectory(path)) {
                throw new CliException("no such file or folder: " + path);
            }
            try (Stream<Path> entries = Files.list(path)) {
                List<Path> files = entries.filter(Files::isRegularFile)
                        .filter(file -> !file.getFileName().toString().startsWith(".")).sorted().toList();
                if (files.isEmpty()) {
                    throw new CliException("the folder " + path + " has no files");
                }
                return files;
            } catch (IOException e) {
                throw new CliException("cannot list " + path + ": " + e.getMessage());
            }
        }
    }

}
