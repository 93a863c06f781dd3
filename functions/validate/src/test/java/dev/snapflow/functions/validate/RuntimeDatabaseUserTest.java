package dev.snapflow.functions.validate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * validate runs as the runtime database user of docs/deploy.md ("The database"): SELECT, INSERT, UPDATE and
 * DELETE on the tables and USAGE on the sequences, no DDL. Tenants, keys and processes all work; the user
 * cannot create or drop a table.
 */
@Tag("database")
@ExtendWith(LocalStackExtension.class)
class RuntimeDatabaseUserTest {

    @Test
    void validateServesTheApiAsAUserWithoutDdlRights(LocalStack stack) throws Exception {
        String role = "runtime_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String password = UUID.randomUUID().toString();
        try (Connection admin = stack.database().openConnection(); Statement sql = admin.createStatement()) {
            sql.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
            // The stack migrated already, so the grants of existing objects (deploy.md's default privileges cover
            // the objects a later migration creates).
            sql.execute("GRANT USAGE ON SCHEMA public TO " + role);
            sql.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role);
            sql.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + role);
            sql.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        }
        try {
            runAsRuntimeUser(stack, role, password);
        } finally {
            // Roles belong to the server, which may be a shared one (SNAPFLOW_DB_URL): leave none behind.
            try (Connection admin = stack.database().openConnection(); Statement sql = admin.createStatement()) {
                sql.execute("DROP OWNED BY " + role);
                sql.execute("DROP ROLE " + role);
            }
        }
    }

    private static void runAsRuntimeUser(LocalStack stack, String role, String password) throws Exception {
        try (Connection runtime = DriverManager.getConnection(stack.database().jdbcUrl(), role, password);
             Statement sql = runtime.createStatement()) {
            assertThatThrownBy(() -> sql.execute("CREATE TABLE runtime_may_not (id int)"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> sql.execute("DROP TABLE outbox")).isInstanceOf(SQLException.class);
        }

        try (ValidateHarness validate = new ValidateHarness(stack, Map.of("datasources.default.username", role,
                "datasources.default.password", password))) {
            String tenant = "rt-" + UUID.randomUUID().toString().substring(0, 8);
            String apiKey = validate.createTenant(tenant)[0];
            SnapshotRef snapshot = new SnapshotRef(tenant, "orders", "2026-11-01");
            validate.commitRawSnapshot(snapshot);

            HttpResponse<String> submitted = validate.post("/v1/processes", apiKey, "application/json",
                    "{\"entity\":\"orders\",\"dataVersion\":\"2026-11-01\",\"action\":\"ingest\"}");
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
            assertThat(validate.get("/v1/processes", apiKey).statusCode()).isEqualTo(200);

            HttpResponse<String> keys = validate.send(HttpRequest.newBuilder(validate.uri("/v1/admin/tenants/" + tenant
                    + "/api-keys")).header("Authorization", "Bearer " + ValidateHarness.ADMIN_TOKEN).GET().build());
            JsonNode key = ValidateHarness.JSON.readTree(keys.body()).path("items").get(0);
            HttpResponse<String> revoked = validate.send(HttpRequest.newBuilder(validate.uri("/v1/admin/tenants/" + tenant
                    + "/api-keys/" + key.path("id").asText())).header("Authorization", "Bearer "
                    + ValidateHarness.ADMIN_TOKEN).DELETE().build());
            assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        }
    }
}
