package dev.snapflow.local.stack;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;

import dev.snapflow.local.runtime.NodeProtocol;

/**
 * The class path of the child JVMs: the local-stack-runtime jar (found where this JVM loaded it from) plus the
 * dependencies it recorded at build time. Nothing of it is on the caller's own class path.
 */
final class NodeClasspath {

    private NodeClasspath() {
    }

    static String resolve() {
        Path runtime = stableCopy(runtimeLocation());
        String recorded = recordedDependencies();
        List<String> entries = new ArrayList<>();
        entries.add(runtime.toString());
        for (String entry : recorded.strip().split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            if (!Files.exists(Path.of(entry))) {
                throw new LocalStackStartException("local stack", "the class path recorded in local-stack-runtime names "
                        + entry + ", which does not exist; rebuild it with ./mvnw -pl local/stack-runtime install");
            }
            entries.add(entry);
        }
        return String.join(File.pathSeparator, entries);
    }

    private static Path runtimeLocation() {
        try {
            return Path.of(NodeProtocol.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new LocalStackStartException("local stack", "cannot locate the local-stack-runtime jar: " + e, e);
        }
    }

    /**
     * A class-data sharing archive is only used while every jar on the class path keeps the size and modification
     * time it had when the archive was written. A rebuild rewrites the runtime jar, so the nodes get a copy named by
     * its content (the jar is built reproducibly), whose time changes only when its content does. Copies are a few
     * kilobytes each and stay in the cache.
     */
    private static Path stableCopy(Path runtime) {
        if (!Files.isRegularFile(runtime)) {
            return runtime;
        }
        try {
            byte[] content = Files.readAllBytes(runtime);
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content), 0, 8);
            Path copies = Files.createDirectories(LocalStackCache.root().resolve("runtime"));
            Path copy = copies.resolve("local-stack-runtime-" + digest + ".jar");
            if (!Files.isRegularFile(copy)) {
                Path partial = Files.createTempFile(copies, "local-stack-runtime-", ".partial");
                Files.write(partial, content);
                Files.move(partial, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            // Never touched again: its modification time is part of what the archives check.
            return copy;
        } catch (IOException | NoSuchAlgorithmException e) {
            return runtime;
        }
    }

    private static String recordedDependencies() {
        try (InputStream in = NodeProtocol.class.getClassLoader().getResourceAsStream(NodeProtocol.CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new LocalStackStartException("local stack", "local-stack-runtime has no " + NodeProtocol.CLASSPATH_RESOURCE
                        + "; rebuild it with ./mvnw -pl local/stack-runtime install");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LocalStackStartException("local stack", "cannot read " + NodeProtocol.CLASSPATH_RESOURCE + ": " + e, e);
        }
    }
}
