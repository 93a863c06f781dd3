package dev.snapflow.local.controlplane;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One function running as its own JVM from its built jar ({@code functions/<name>/target/function-<name>.jar},
 * class path from the jar manifest: {@code target/lib}), configured only through environment variables, exactly
 * as in its container. Output goes to {@code <name>.log} in the work dir.
 */
public final class FunctionProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;
    private volatile Instant healthySince;

    private FunctionProcess(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts the function and waits until {@code /health/readiness} answers 200 on its serving port (the probe
     * Knative uses; the full {@code /health} is on the management port only).
     *
     * @param jar         the function's thin jar
     * @param environment its configuration (PORT is set from {@code port})
     * @throws IllegalStateException with the end of its log when it exits or is not healthy within {@code timeout}
     */
    public static FunctionProcess start(String name, Path jar, int port, Map<String, String> environment,
                                        List<String> jvmFlags, Path workDir, Duration timeout) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(name + ": no jar at " + jar + "; build it first (./mvnw -pl functions/"
                    + name + " -am package)");
        }
        Path log = workDir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        watchdogAgent().ifPresent(command::add);
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        builder.environment().put("PORT", Integer.toString(port));
        Process process;
        try {
            Files.createDirectories(workDir);
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException(name + ": cannot start " + command, e);
        }
        FunctionProcess function = new FunctionProcess(name, port, log, process);
        function.awaitHealthy(timeout);
        return function;
    }

    /** {@code -javaagent:<this jar>=<our pid>} when this class runs from its jar (not from a classes folder). */
    private static Optional<String> watchdogAgent() {
        try {
            Path location = Path.of(ParentWatchdogAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(location) && location.toString().endsWith(".jar")) {
                return Optional.of("-javaagent:" + location + "=" + ProcessHandle.current().pid());
            }
        } catch (URISyntaxException | RuntimeException e) {
            // no code source (unusual class loader): run without the watchdog
        }
        return Optional.empty();
    }

    private void awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(uri("/health/readiness"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    healthySince = Instant.now();
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                kill();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            try {
                process.waitFor(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                kill();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
        }
        close();
        throw new IllegalStateException(name + " not healthy within " + timeout + ":\n" + tail());
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Its log file ({@code <workDir>/<name>.log}, appended across restarts). */
    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Completes when its JVM has exited, however it ended. */
    public CompletableFuture<FunctionProcess> onExit() {
        return process.onExit().thenApply(exited -> this);
    }

    /** Its exit code; only once it has exited. */
    public int exitCode() {
        return process.exitValue();
    }

    /** When it first answered {@code /health}. */
    public Instant healthySince() {
        return healthySince;
    }

    /** The last lines of its log, for failure messages. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL, as a crash: no shutdown hooks, nothing flushed. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, then SIGKILL after a grace period. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }
}
