package dev.snapflow.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** With SNAPFLOW_DB_URL set, stacks use that server: a fresh database per test JVM, dropped at the end. */
@Tag("database")
@EnabledIfEnvironmentVariable(named = LocalStackOptions.DATABASE_URL_ENV, matches = ".+")
@ExtendWith(LocalStackExtension.class)
class ExternalDatabaseTest {

    private final String serverUrl = System.getenv(LocalStackOptions.DATABASE_URL_ENV);
    private final PostgresServerUrl server = PostgresServerUrl.parse(serverUrl, LocalStackOptions.DATABASE_URL_ENV);

    @Test
    void sharedStackUsesAFreshMigratedDatabaseOnTheConfiguredServer(LocalStack stack) throws SQLException {
        assertThat(stack.options().embeddedDatabase()).isFalse();
        assertThat(stack.database().jdbcUrl()).startsWith("jdbc:postgresql://" + server.hosts() + "/snapflow_test_");
        assertThat(stack.database().username()).isEqualTo(server.user());

        try (Connection connection = stack.database().openConnection();
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT current_database(), (SELECT note FROM stack_probe WHERE id = 1)")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo(stack.database().databaseName());
            assertThat(row.getString(2)).isEqualTo("migrated by the local stack");
        }
    }

    @Test
    void throwawayDatabaseIsCreatedMigratedAndDroppedOnClose(@TempDir Path workDir) throws SQLException {
        LocalStackOptions options = LocalStackOptions.forTests().withWorkDir(workDir);
        String name;
        try (StackDatabase database = StackDatabase.start(options, StackLayout.create(workDir), 0, "",
                Thread.currentThread().getContextClassLoader())) {
            name = database.endpoint().databaseName();
            assertThat(name).isEqualTo(options.databaseName());
            assertThat(databaseExists(name)).isTrue();
            try (Connection connection = database.endpoint().openConnection();
                 Statement statement = connection.createStatement();
                 ResultSet count = statement.executeQuery("SELECT count(*) FROM stack_probe")) {
                assertThat(count.next()).isTrue();
                assertThat(count.getInt(1)).isEqualTo(1);
            }
        }

        assertThat(databaseExists(name)).isFalse();
    }

    private boolean databaseExists(String name) throws SQLException {
        try (Connection connection = DriverManager.getConnection(serverUrl);
             PreparedStatement query = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            query.setString(1, name);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next();
            }
        }
    }
}
