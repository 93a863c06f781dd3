package dev.snapflow.functions.validate;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Missing operator settings stop the function at startup, naming the environment variable to set. */
class ValidateStartupTest {

    @Test
    void missingApiKeyPepperStopsStartupNamingItsVariable() {
        assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", -1,
                "snapflow.validate.admin-token", "admin-token-0123456789",
                "snapflow.events.consumer-group", "startup-test")))
                .hasStackTraceContaining("SNAPFLOW_API_KEY_PEPPER");
    }

    @Test
    void brokenActionCatalogStopsStartupListingItsProblems() {
        assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", -1,
                "snapflow.validate.api-key-pepper", "pepper-0123456789abcdef",
                "snapflow.validate.admin-token", "admin-token-0123456789",
                "snapflow.events.consumer-group", "startup-test",
                "snapflow.catalog.location", "/nonexistent/catalog.yml")))
                .hasStackTraceContaining("invalid action catalog /nonexistent/catalog.yml");
    }
}
