package dev.snapflow.local.cli;

import dev.snapflow.local.controlplane.ControlPlane;
import dev.snapflow.local.controlplane.FunctionProcess;
import dev.snapflow.local.controlplane.LocalWiring;
import dev.snapflow.local.controlplane.PortInUseException;
import dev.snapflow.local.stack.LocalStack;

import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Snapflow started by this CLI process: the local stack (Kafka, S3 API, PostgreSQL) and the four functions as
 * separate JVMs from their built jars, wired by environment variables, with launch running the real Spark job as
 * a local child process. The pid file lets {@code snapflow down} find it; there is at most one per work dir.
 */
final class RunningStack implements AutoCloseable {
    static final String PID_FILE = "snapflow-up.pid";

    private final LocalStack stack;
    private final ControlPlane plane;
    private final LocalSecrets secrets;
    private final Path pidFile;
    private final Duration startup;
    private final S3Client retentionClient;
    private final JobRunRetention retention;

    private RunningStack(LocalStack stack, ControlPlane plane, LocalSecrets secrets, Path pidFile, Duration startup,
                         Duration jobLogRetention) {
        this.retentionClient = stack.s3().newClient();
        this.retention = new JobRunRetention(retentionClient, stack.s3().bucket(), jobLogRetention);
        this.stack = stack;
        this.plane = plane;
        this.secrets = secrets;
        this.pidFile = pidFile;
        this.startup = startup;
    }

    static RunningStack start(StackOptions options) {
        Path workDir = options.absoluteWorkDir();
        Duration jobLogRetention = options.jobLogRetention();
        Path pidFile = workDir.resolve(PID_FILE);
        Optional<ProcessHandle> other = runningOwner(workDir);
        if (other.isPresent()) {
            throw new CliException("a stack is already running from " + workDir + " (pid " + other.get().pid()
                    + "); stop it with `snapflow down` or use another --work-dir");
        }
        // Functions' ports first: failing after the stack started would waste its start-up.
        try {
            options.functionPorts().forEach((name, port) -> {
                if (port != 0) {
                    PortInUseException.checkFree(name, port);
                    PortInUseException.checkFree(name, port + ControlPlane.MANAGEMENT_PORT_OFFSET);
                }
            });
        } catch (PortInUseException e) {
            throw portInUse(e);
        }
        ProjectLayout layout = ProjectLayout.locate();
        String jobClasspath = layout.jobClasspath();
        LocalSecrets secrets = LocalSecrets.loadOrCreate(workDir);
        long started = System.nanoTime();
        LocalStack stack = LocalStack.start(options.toStackOptions());
        ControlPlane plane;
        try {
            LocalWiring wiring = wiring(stack, secrets, jobClasspath, workDir);
            ControlPlane.Settings settings = new ControlPlane.Settings(layout.functionsDir(), workDir.resolve("logs"),
                    wiring.common(), wiring.perFunction(), Duration.ofSeconds(180), options.functionPorts());
            plane = ControlPlane.start(settings, ControlPlane.FUNCTIONS);
        } catch (PortInUseException e) {
            stack.close();
            throw portInUse(e);
        } catch (RuntimeException e) {
            stack.close();
            throw new CliException(firstLine(e.getMessage()) + "; see the logs in " + workDir.resolve("logs"));
        }
        try {
            Files.writeString(pidFile, Long.toString(ProcessHandle.current().pid()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            plane.close();
            stack.close();
            throw new UncheckedIOException("cannot write " + pidFile, e);
        }
        return new RunningStack(stack, plane, secrets, pidFile, Duration.ofNanos(System.nanoTime() - started),
                jobLogRetention);
    }

    private static CliException portInUse(PortInUseException e) {
        return new CliException("port " + e.port() + " for " + e.function() + " is already in use (flag --"
                + e.function() + "-port; its management port is that port + " + ControlPlane.MANAGEMENT_PORT_OFFSET + ")");
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "the control plane did not start";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static LocalWiring wiring(LocalStack stack, LocalSecrets secrets, String jobClasspath, Path workDir) {
        return new LocalWiring(stack.database().jdbcUrl(), stack.database().username(), stack.database().password(),
                stack.kafka().bootstrapServers(), stack.s3().endpoint().toString(), stack.s3().region(),
                stack.s3().bucket(), stack.s3().accessKey(), stack.s3().secretKey(), secrets.adminToken(),
                secrets.callbackHmacKey(), secrets.apiKeyPepper(), jobClasspath, workDir.resolve("jobs"));
    }

    /** The live process that started the stack in {@code workDir}, if any. */
    static Optional<ProcessHandle> runningOwner(Path workDir) {
        Path pidFile = workDir.resolve(PID_FILE);
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    LocalStack stack() {
        return stack;
    }

    ControlPlane plane() {
        return plane;
    }

    LocalSecrets secrets() {
        return secrets;
    }

    String apiUrl() {
        return plane.baseUrl("validate");
    }

    Path logsDir() {
        return stack.workDir().resolve("logs");
    }

    void printEndpoints(PrintWriter out) {
        out.printf("Snapflow is up (started in %.1f s), work dir %s%n", startup.toMillis() / 1000.0, stack.workDir());
        out.printf("  API (validate)  %s%n", apiUrl());
        for (FunctionProcess function : plane.running()) {
            out.printf("  %-15s %s  (management %s: /health, /prometheus; log %s)%n", function.name(),
                    plane.baseUrl(function.name()), plane.managementUrl(function.name()), function.log());
        }
        out.printf("  Kafka           %s%n", stack.kafka().bootstrapServers());
        out.printf("  S3 API          %s  (bucket %s, access key %s)%n", stack.s3().endpoint(), stack.s3().bucket(),
                stack.s3().accessKey());
        out.printf("  PostgreSQL      %s%n", stack.database().jdbcUrl());
        out.printf("  Logs            %s  (Spark jobs: %s)%n", logsDir(), stack.workDir().resolve("jobs"));
        out.printf("  Admin token     in %s%n", stack.workDir().resolve(LocalSecrets.FILE));
        out.flush();
    }

    @Override
    public void close() {
        retention.close();
        retentionClient.close();
        try {
            plane.close();
        } finally {
            try {
                stack.close();
            } finally {
                try {
                    Files.deleteIfExists(pidFile);
                } catch (IOException ignored) {
                    // A stale pid file is harmless: runningOwner() checks that the process is alive.
                }
            }
        }
    }
}
