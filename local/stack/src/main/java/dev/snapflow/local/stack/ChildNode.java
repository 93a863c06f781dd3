package dev.snapflow.local.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.snapflow.local.runtime.NodeProtocol;

/**
 * One server of the stack running in a child JVM (a main of local-stack-runtime): started with its own class path,
 * its output in its log file, watched for readiness, stopped with SIGTERM so it shuts down cleanly.
 */
final class ChildNode implements AutoCloseable {

    private static final Duration POLL_INTERVAL = Duration.ofMillis(25);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final int LOG_LINES_IN_ERRORS = 20;
    /** How Kafka, Jetty and PostgreSQL all report a port someone else listens on. */
    private static final String ADDRESS_IN_USE = "Address already in use";

    private final String component;
    private final Process process;
    private final Path home;
    private final Path logFile;
    private final long logStart;
    private final int port;
    private final ClassDataArchive archive;
    /** Starts the same node again (same port, home and arguments): {@link #relaunch()}. */
    private final Supplier<ChildNode> again;

    private ChildNode(String component, Process process, Path home, Path logFile, long logStart, int port,
                      ClassDataArchive archive, Supplier<ChildNode> again) {
        this.component = component;
        this.process = process;
        this.home = home;
        this.logFile = logFile;
        this.logStart = logStart;
        this.port = port;
        this.archive = archive;
        this.again = again;
    }

    /**
     * @param heap maximum heap of the child, e.g. {@code 512m}
     * @param port the port the node serves
     * @param nodeArguments arguments after the common {@code --parent-pid}, {@code --home} and {@code --port}
     */
    static ChildNode launch(String component, String mainClass, String heap, Path home, Path logFile, int port,
                            List<String> nodeArguments, String classpath) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> jvmOptions = new ArrayList<>();
        jvmOptions.add("-Xmx" + heap);
        // Startup time and footprint matter more than peak throughput for a local broker.
        jvmOptions.add("-XX:+UseSerialGC");
        jvmOptions.add("-XX:TieredStopAtLevel=1");
        jvmOptions.add("-XX:+ExitOnOutOfMemoryError");
        jvmOptions.add("-Djava.awt.headless=true");
        jvmOptions.add("-Dlog4j2.configurationFile=" + NodeProtocol.LOG_CONFIGURATION);
        if (Runtime.version().feature() >= 24) {
            // Kafka and its libraries still use sun.misc.Unsafe memory access; without this the JDK warns at startup.
            jvmOptions.add("--sun-misc-unsafe-memory-access=allow");
        }
        ClassDataArchive archive = ClassDataArchive.forNode(component.toLowerCase(Locale.ROOT), jvmOptions, classpath);
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.add(archive.jvmOption());
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.add(NodeProtocol.PARENT_PID);
        command.add(String.valueOf(ProcessHandle.current().pid()));
        command.add(NodeProtocol.HOME);
        command.add(home.toString());
        command.add(NodeProtocol.PORT);
        command.add(String.valueOf(port));
        command.addAll(nodeArguments);
        try {
            Files.createDirectories(home);
            Files.deleteIfExists(home.resolve(NodeProtocol.READY_FILE_NAME));
            Files.writeString(logFile, "---- " + Instant.now() + " starting " + component + System.lineSeparator(),
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            long logStart = Files.size(logFile);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            return new ChildNode(component, process, home, logFile, logStart, port, archive,
                    () -> launch(component, mainClass, heap, home, logFile, port, nodeArguments, classpath));
        } catch (IOException e) {
            throw new LocalStackStartException(component, "cannot start " + component + " (" + java + "): " + e, e);
        }
    }

    /** Waits for the node's ready marker; fails at once if the node exits first. */
    void awaitReady(Duration timeout) {
        Path ready = home.resolve(NodeProtocol.READY_FILE_NAME);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(ready)) {
            if (!process.isAlive()) {
                String output = outputOfThisStart();
                if (output.contains(ADDRESS_IN_USE)) {
                    // Taken between the stack's check and the node's bind (by anyone: outgoing connections too).
                    throw LocalStackStartException.portInUse(component, port, "see " + logFile);
                }
                throw new LocalStackStartException(component, component + " exited with code " + process.exitValue()
                        + " while starting; see " + logFile + lastLogLines(output));
            }
            if (System.nanoTime() > deadline) {
                throw new LocalStackStartException(component, component + " did not become ready within "
                        + timeout.toSeconds() + " s; see " + logFile + lastLogLines(outputOfThisStart()));
            }
            pause();
        }
    }

    Path logFile() {
        return logFile;
    }

    /**
     * The same node started again after {@link #close()}: same port, home (so the same data) and arguments; the
     * caller awaits its readiness. For fault benchmarks that restart a server of the stack.
     */
    ChildNode relaunch() {
        if (process.isAlive()) {
            throw new IllegalStateException(component + " still runs; close it before starting it again");
        }
        return again.get();
    }

    /**
     * SIGTERM, so the node's shutdown hooks stop its server (and the JVM writes a pending class-data archive); SIGKILL
     * only if it does not exit in time.
     */
    @Override
    public void close() {
        boolean exitedOnItsOwn = true;
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    System.getLogger(ChildNode.class.getName()).log(System.Logger.Level.WARNING,
                            "{0} did not stop within {1} s of SIGTERM; killing it", component, STOP_TIMEOUT.toSeconds());
                    exitedOnItsOwn = false;
                    process.destroyForcibly();
                    process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                exitedOnItsOwn = false;
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        archive.adoptPending(exitedOnItsOwn && !process.isAlive());
    }

    /** What the node wrote since this launch (the log file keeps earlier starts of a kept work dir). */
    private String outputOfThisStart() {
        try {
            byte[] all = Files.readAllBytes(logFile);
            int from = (int) Math.min(logStart, all.length);
            // Lenient decoding: a log line cut in the middle of a character must not hide the rest.
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private String lastLogLines(String output) {
        List<String> lines = output.lines().toList();
        List<String> last = lines.subList(Math.max(0, lines.size() - LOG_LINES_IN_ERRORS), lines.size());
        return System.lineSeparator() + "last lines of " + logFile.getFileName() + ":" + System.lineSeparator()
                + String.join(System.lineSeparator(), last);
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_INTERVAL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackStartException("local stack", "interrupted while waiting for a component to start", e);
        }
    }
}
