package dev.snapflow.knative;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Builds an overlay exactly as an operator would, with {@code kubectl kustomize}. kubectl is a hard
 * requirement of this module's tests: without it they fail (with a message saying so) instead of skipping.
 */
final class Kustomize {
    private static final Map<Path, String> BUILDS = new ConcurrentHashMap<>();

    private Kustomize() {
    }

    /** The rendered YAML of the kustomization in {@code dir}; built once per test JVM. */
    static String build(Path dir) {
        return BUILDS.computeIfAbsent(dir.toAbsolutePath().normalize(), Kustomize::run);
    }

    private static String run(Path dir) {
        Process process;
        try {
            process = new ProcessBuilder("kubectl", "kustomize", dir.toString()).start();
        } catch (IOException e) {
            throw new AssertionError("kubectl is needed to build the kustomize overlays but cannot be started ("
                    + e.getMessage() + "). Install kubectl 1.27 or newer (kustomize is built in) and put it on the PATH.", e);
        }
        try {
            process.getOutputStream().close();
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process, true));
            String stdout = readAll(process, false);
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + dir + " did not finish within 2 minutes");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed (exit " + process.exitValue() + "):\n"
                        + stderr.join());
            }
            return stdout;
        } catch (IOException e) {
            throw new AssertionError("cannot read the output of kubectl kustomize " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new AssertionError("interrupted while running kubectl kustomize " + dir, e);
        }
    }

    private static String readAll(Process process, boolean errorStream) {
        try {
            return new String((errorStream ? process.getErrorStream() : process.getInputStream()).readAllBytes(),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
