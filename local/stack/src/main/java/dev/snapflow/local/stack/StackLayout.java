package dev.snapflow.local.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Where each component keeps its data and log under the stack's work dir. */
record StackLayout(Path workDir) {

    static final String KAFKA = "kafka";
    static final String S3 = "s3";
    static final String POSTGRESQL = "postgresql";

    static StackLayout create(Path workDir) {
        StackLayout layout = new StackLayout(workDir);
        try {
            Files.createDirectories(layout.logsDirectory());
        } catch (IOException e) {
            throw new LocalStackStartException("local stack", "cannot create the work dir " + workDir + ": " + e, e);
        }
        return layout;
    }

    Path logsDirectory() {
        return workDir.resolve("logs");
    }

    /** The node's own directory: its data and its ready marker. */
    Path home(String component) {
        return workDir.resolve(component);
    }

    Path logFile(String component) {
        return logsDirectory().resolve(component + ".log");
    }

    Path lockFile() {
        return workDir.resolve(".lock");
    }

    void deleteAll() {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(workDir)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the work dir " + workDir, e);
        }
        for (Path path : paths) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + path + " from the work dir", e);
            }
        }
    }
}
