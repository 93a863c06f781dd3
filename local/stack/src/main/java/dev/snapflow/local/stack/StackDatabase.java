package dev.snapflow.local.stack;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import dev.snapflow.local.runtime.NodeProtocol;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The stack's database: on the embedded PostgreSQL server (a child JVM) or on the server of {@code databaseUrl};
 * created if missing, migrated with Flyway, dropped on close when the options say so.
 */
final class StackDatabase implements AutoCloseable {

    static final String COMPONENT = "PostgreSQL";

    private static final String EMBEDDED_SUPERUSER = "postgres";
    private static final String MAINTENANCE_DATABASE = "postgres";
    private static final String UNDEFINED_DATABASE = "3D000";
    private static final String DUPLICATE_DATABASE = "42P04";
    private static final String CONNECT_TIMEOUT_SECONDS = "10";

    private ChildNode node;
    private final PostgresServerUrl server;
    private final String database;
    private final boolean dropOnClose;
    private final DatabaseEndpoint endpoint;

    private StackDatabase(ChildNode node, PostgresServerUrl server, String database, boolean dropOnClose) {
        this.node = node;
        this.server = server;
        this.database = database;
        this.dropOnClose = dropOnClose;
        this.endpoint = new DatabaseEndpoint(server.jdbcUrlFor(database), server.user(), server.password());
    }

    /** @param migrationsLoader where {@code classpath:} migration locations are looked up (the caller's loader) */
    static StackDatabase start(LocalStackOptions options, StackLayout layout, int port, String classpath,
                               ClassLoader migrationsLoader) {
        ChildNode node = null;
        PostgresServerUrl server;
        if (options.embeddedDatabase()) {
            node = ChildNode.launch(COMPONENT, NodeProtocol.POSTGRES_MAIN, "256m", layout.home(StackLayout.POSTGRESQL),
                    layout.logFile(StackLayout.POSTGRESQL), port, List.of(), classpath);
            server = PostgresServerUrl.parse("jdbc:postgresql://127.0.0.1:" + port + "/" + MAINTENANCE_DATABASE
                    + "?user=" + EMBEDDED_SUPERUSER, "embedded server");
        } else {
            server = PostgresServerUrl.parse(options.databaseUrl(), "databaseUrl");
        }
        String database = options.databaseName() != null ? options.databaseName()
                : options.embeddedDatabase() || server.database().isEmpty() ? LocalStackOptions.DEFAULT_DATABASE
                : server.database();
        StackDatabase stackDatabase = new StackDatabase(node, server, database, options.dropDatabaseOnClose());
        try {
            if (node != null) {
                node.awaitReady(options.startupTimeout());
            }
            stackDatabase.createIfMissing();
            stackDatabase.migrate(options.migrationLocations(), migrationsLoader);
            return stackDatabase;
        } catch (RuntimeException e) {
            stackDatabase.close();
            throw e;
        }
    }

    DatabaseEndpoint endpoint() {
        return endpoint;
    }

    private void createIfMissing() {
        try {
            connect(database).close();
            return;
        } catch (SQLException e) {
            if (!UNDEFINED_DATABASE.equals(e.getSQLState())) {
                throw unreachable(e);
            }
        }
        try (Connection connection = connect(maintenanceDatabase());
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + quoted(database));
        } catch (SQLException e) {
            if (!DUPLICATE_DATABASE.equals(e.getSQLState())) {
                throw new LocalStackStartException(COMPONENT, "cannot create database " + database + " on PostgreSQL at "
                        + server.describe() + ": " + e.getMessage() + where(), e);
            }
        }
    }

    private void migrate(List<String> locations, ClassLoader migrationsLoader) {
        try {
            MigrateResult result = Flyway.configure(migrationsLoader)
                    .dataSource(endpoint.jdbcUrl(), endpoint.username(), endpoint.password())
                    .locations(locations.toArray(String[]::new))
                    .load()
                    .migrate();
            System.getLogger(StackDatabase.class.getName()).log(System.Logger.Level.INFO,
                    "Database {0}: {1} migration(s) applied from {2}, now at version {3}",
                    database, result.migrationsExecuted, locations,
                    // Flyway leaves the target version empty when there was nothing to apply.
                    result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion);
        } catch (FlywayException e) {
            throw new LocalStackStartException(COMPONENT, "migrating database " + database + " from " + locations
                    + " failed: " + e.getMessage(), e);
        }
    }

    private String maintenanceDatabase() {
        return server.database().isEmpty() || server.database().equals(database) ? MAINTENANCE_DATABASE : server.database();
    }

    private Connection connect(String databaseName) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", server.user());
        if (!server.password().isEmpty()) {
            properties.setProperty("password", server.password());
        }
        properties.setProperty("connectTimeout", CONNECT_TIMEOUT_SECONDS);
        properties.setProperty("loginTimeout", CONNECT_TIMEOUT_SECONDS);
        return DriverManager.getConnection(server.jdbcUrlFor(databaseName), properties);
    }

    private LocalStackStartException unreachable(SQLException e) {
        return new LocalStackStartException(COMPONENT, "cannot connect to PostgreSQL at " + server.jdbcUrlFor(database)
                + " as user " + server.user() + ": " + e.getMessage() + where(), e);
    }

    private String where() {
        return node == null ? " (the server of databaseUrl / " + LocalStackOptions.DATABASE_URL_ENV + ")"
                : "; see " + node.logFile();
    }

    private static String quoted(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Stops the embedded server (a fast shutdown: clients are disconnected); {@link #startServerAgain} brings it back. */
    synchronized void stopServer() {
        embeddedNode().close();
    }

    /** After {@link #stopServer}: the same server on the same port and data directory; returns once it is ready. */
    synchronized void startServerAgain(Duration timeout) {
        ChildNode fresh = embeddedNode().relaunch();
        try {
            fresh.awaitReady(timeout);
        } catch (RuntimeException e) {
            fresh.close();
            throw e;
        }
        node = fresh;
    }

    private ChildNode embeddedNode() {
        if (node == null) {
            throw new IllegalStateException("the database is on an external server (" + server.describe()
                    + "), which the stack does not stop or start");
        }
        return node;
    }

    /** Drops the database if asked to (terminating leftover connections), then stops the embedded server. */
    @Override
    public synchronized void close() {
        try {
            if (dropOnClose) {
                drop();
            }
        } finally {
            if (node != null) {
                node.close();
            }
        }
    }

    private void drop() {
        try (Connection connection = connect(maintenanceDatabase());
             Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + quoted(database) + " WITH (FORCE)");
        } catch (SQLException e) {
            System.getLogger(StackDatabase.class.getName()).log(System.Logger.Level.WARNING,
                    "could not drop database {0} on {1}: {2}", database, server.describe(), e.getMessage());
        }
    }
}
