package dev.snapflow.functions.shared.persistence;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

import java.util.Map;

/**
 * The migration step, and the only code in the functions that runs Flyway: {@code java -cp
 * @/app/jib-classpath-file dev.snapflow.functions.shared.persistence.SchemaMigration} in any function image (the
 * Kubernetes Job {@code snapflow-migrate} in knative/ uses validate's). It applies
 * {@code classpath:db/migration} as the migration user, which owns the schema, and exits: 0 when the schema is
 * current, 1 with the reason otherwise. The functions themselves connect as a runtime user without DDL rights
 * and have no Flyway integration, so they cannot migrate by accident (docs/deploy.md, "The database").
 *
 * <p>Settings (environment): {@code SNAPFLOW_DB_URL} and {@code SNAPFLOW_MIGRATION_DB_USER} (required),
 * {@code SNAPFLOW_MIGRATION_DB_PASSWORD}.
 */
public final class SchemaMigration {
    public static final String LOCATION = "classpath:db/migration";

    private SchemaMigration() {
    }

    public static void main(String[] args) {
        try {
            MigrateResult result = migrate(System.getenv());
            System.out.println("schema migrated: " + result.migrationsExecuted + " migration(s) applied, now at version "
                    + (result.targetSchemaVersion == null ? result.initialSchemaVersion : result.targetSchemaVersion));
        } catch (IllegalArgumentException | FlywayException e) {
            System.err.println("schema migration failed: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Applies the pending migrations with the settings of {@code environment}. */
    public static MigrateResult migrate(Map<String, String> environment) {
        String url = required(environment, "SNAPFLOW_DB_URL");
        String user = required(environment, "SNAPFLOW_MIGRATION_DB_USER");
        // May be empty when the server authenticates otherwise (trust, a client certificate named in the URL).
        String password = environment.getOrDefault("SNAPFLOW_MIGRATION_DB_PASSWORD", "");
        // Flyway's advisory lock lets two Jobs (a retried one, say) run side by side without racing.
        return Flyway.configure(SchemaMigration.class.getClassLoader())
                .dataSource(url, user, password)
                .locations(LOCATION)
                .load()
                .migrate();
    }

    private static String required(Map<String, String> environment, String name) {
        String value = environment.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }
}
