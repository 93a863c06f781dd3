package dev.snapflow.local.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Files the stack keeps between runs to start faster, shared by all stacks of this user: class-data sharing archives
 * (a directory per JDK and class path, removed after a week unused) and content-named copies of the runtime jar.
 */
final class LocalStackCache {

    private static final Duration UNUSED_LIFETIME = Duration.ofDays(7);

    private LocalStackCache() {
    }

    static Path root() {
        return Path.of(System.getProperty("java.io.tmpdir"), "snapflow-local-stack-" + System.getProperty("user.name"));
    }

    static void markUsed(Path entry) throws IOException {
        Files.setLastModifiedTime(entry, FileTime.from(Instant.now()));
    }

    /** Removes the entries of {@code directory} other than {@code current} that were not used for a week. */
    static void removeUnused(Path directory, Path current) throws IOException {
        Instant cutoff = Instant.now().minus(UNUSED_LIFETIME);
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path entry : entries.filter(path -> !path.equals(current)).toList()) {
                if (Files.getLastModifiedTime(entry).toInstant().isBefore(cutoff)) {
                    deleteTree(entry);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
