package dev.snapflow.local.stack;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A dynamic class-data sharing archive per node kind, so a node JVM maps the classes it loaded last time instead of
 * loading them again (Kafka starts in roughly half the CPU time).
 *
 * <p>The first start of a node with a given JVM and class path writes the archive at exit to a pending file; the
 * stack adopts it (atomic rename) only after that JVM exited on its own, so a half-written archive is never used. The
 * key covers the JDK, the options and every class path entry's size and modification time: a rebuilt jar gets a new
 * archive rather than a mismatching one (the JVM would silently ignore it).
 */
final class ClassDataArchive {

    /** Pending archives of nodes whose stack was killed: nobody adopts those. */
    private static final Duration ABANDONED_PENDING_LIFETIME = Duration.ofHours(1);

    private final Path archive;
    private final Path pending;

    private ClassDataArchive(Path archive) {
        this.archive = archive;
        this.pending = archive.resolveSibling(archive.getFileName() + ".pending-" + ProcessHandle.current().pid()
                + "-" + System.nanoTime());
    }

    static ClassDataArchive forNode(String nodeName, List<String> jvmOptions, String classpath) {
        Path root = LocalStackCache.root().resolve("cds");
        Path keyed = root.resolve(key(jvmOptions, classpath));
        try {
            Files.createDirectories(keyed);
            LocalStackCache.markUsed(keyed);
            LocalStackCache.removeUnused(root, keyed);
            removeAbandonedPending(keyed);
        } catch (IOException e) {
            // Only an optimisation: without the directory the node starts without an archive.
        }
        return new ClassDataArchive(keyed.resolve(nodeName + ".jsa"));
    }

    /** The JVM option that uses the archive, or records one at exit when there is none yet. */
    String jvmOption() {
        return Files.isRegularFile(archive) ? "-XX:SharedArchiveFile=" + archive : "-XX:ArchiveClassesAtExit=" + pending;
    }

    /** @param exitedOnItsOwn false when the node had to be killed: its archive may be incomplete */
    void adoptPending(boolean exitedOnItsOwn) {
        try {
            if (exitedOnItsOwn && Files.isRegularFile(pending) && Files.size(pending) > 0) {
                Files.move(pending, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.deleteIfExists(pending);
            }
        } catch (IOException e) {
            // Only an optimisation; the next start records a new archive.
        }
    }

    private static String key(List<String> jvmOptions, String classpath) {
        StringBuilder key = new StringBuilder()
                .append(System.getProperty("java.home")).append('\n')
                .append(System.getProperty("java.vm.version")).append('\n')
                .append(String.join(" ", jvmOptions)).append('\n');
        for (String entry : classpath.split(File.pathSeparator)) {
            Path path = Path.of(entry);
            key.append(entry);
            try {
                key.append(' ').append(Files.size(path)).append(' ').append(Files.getLastModifiedTime(path).toMillis());
            } catch (IOException e) {
                key.append(" missing");
            }
            key.append('\n');
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void removeAbandonedPending(Path keyed) throws IOException {
        Instant cutoff = Instant.now().minus(ABANDONED_PENDING_LIFETIME);
        try (Stream<Path> files = Files.list(keyed)) {
            for (Path file : files.filter(path -> path.getFileName().toString().contains(".pending-")).toList()) {
                if (Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }
}
