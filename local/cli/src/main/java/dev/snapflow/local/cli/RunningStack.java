package dev.snapflow.local.cli;

import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.LocalStackOptions;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A stack started by this CLI process, and the pid file through which {@code snapflow down} finds it.
 * There is at most one per work dir: a second {@code up} on the same work dir is refused by name.
 */
final class RunningStack implements AutoCloseable {
    static final String PID_FILE = "snapflow-up.pid";

    private final LocalStack stack;
    private final Path pidFile;
    private final Duration startup;

    private RunningStack(LocalStack stack, Path pidFile, Duration startup) {
        this.stack = stack;
        this.pidFile = pidFile;
        this.startup = startup;
    }

    static RunningStack start(LocalStackOptions options) {
        Path pidFile = options.workDir().resolve(PID_FILE);
        Optional<ProcessHandle> other = runningOwner(options.workDir());
        if (other.isPresent()) {
            throw new CliException("a stack is already running from " + options.workDir() + " (pid " + other.get().pid()
                    + "); stop it with `snapflow down` or use another --work-dir");
        }
        long started = System.nanoTime();
        LocalStack stack = LocalStack.start(options);
        try {
            Files.createDirectories(options.workDir());
            Files.writeString(pidFile, Long.toString(ProcessHandle.current().pid()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            stack.close();
            throw new UncheckedIOException("cannot write " + pidFile, e);
        }
        return new RunningStack(stack, pidFile, Duration.ofNanos(System.nanoTime() - started));
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

    void printEndpoints(PrintWriter out) {
        out.printf("Snapflow stack is up (started in %.1f s), work dir %s%n", startup.toMillis() / 1000.0, stack.workDir());
        out.printf("  Kafka       %s%n", stack.kafka().bootstrapServers());
        out.printf("  S3 API      %s  (bucket %s, access key %s)%n", stack.s3().endpoint(), stack.s3().bucket(), stack.s3().accessKey());
        out.printf("  PostgreSQL  %s%n", stack.database().jdbcUrl());
        out.printf("  Logs        %s%n", stack.workDir().resolve("logs"));
        out.flush();
    }

    @Override
    public void close() {
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
