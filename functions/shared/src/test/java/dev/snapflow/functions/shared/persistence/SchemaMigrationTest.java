package dev.snapflow.functions.shared.persistence;

import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The migration step (the Job snapflow-migrate) migrates an empty database, then finds nothing to do. */
@Tag("database")
@ExtendWith(LocalStackExtension.class)
class SchemaMigrationTest {

    @Test
    void aMissingSettingIsNamed() {
        assertThatThrownBy(() -> SchemaMigration.migrate(Map.of("SNAPFLOW_DB_URL", "jdbc:postgresql://db/snapflow",
                "SNAPFLOW_MIGRATION_DB_PASSWORD", "secret")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("SNAPFLOW_MIGRATION_DB_USER is required");
    }

    @Test
    void migratesAnEmptyDatabaseOnceAndThenFindsNothingToDo(LocalStack stack) throws Exception {
        String database = "migrate_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String current = stack.database().databaseName();
        String url = stack.database().jdbcUrl().replaceFirst("/" + current + "(\\?|$)", "/" + database + "$1");
        try (Connection admin = stack.database().openConnection(); Statement sql = admin.createStatement()) {
            sql.execute("CREATE DATABASE " + database);
        }
        try {
            Map<String, String> environment = new java.util.HashMap<>(Map.of("SNAPFLOW_DB_URL", url,
                    "SNAPFLOW_MIGRATION_DB_USER", stack.database().username()));
            if (stack.database().password() != null) {
                environment.put("SNAPFLOW_MIGRATION_DB_PASSWORD", stack.database().password());
            }
            MigrateResult first = SchemaMigration.migrate(environment);
            assertThat(first.migrationsExecuted).isPositive();
            try (Connection migrated = DriverManager.getConnection(url, stack.database().username(), stack.database().password());
                 Statement sql = migrated.createStatement();
                 ResultSet columns = sql.executeQuery("SELECT count(*) FROM information_schema.columns "
                         + "WHERE table_name = 'api_keys' AND column_name IN ('id', 'last_used_at')")) {
                columns.next();
                assertThat(columns.getInt(1)).isEqualTo(2);
            }
            assertThat(SchemaMigration.migrate(environment).migrationsExecuted).isZero();
        } finally {
            try (Connection admin = stack.database().openConnection(); Statement sql = admin.createStatement()) {
                sql.execute("DROP DATABASE " + database + " WITH (FORCE)");
            }
        }
    }
}
