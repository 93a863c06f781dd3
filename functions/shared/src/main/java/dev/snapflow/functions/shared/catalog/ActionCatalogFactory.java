package dev.snapflow.functions.shared.catalog;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.core.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the action catalog once at startup ({@code snapflow.catalog.location}, env SNAPFLOW_ACTION_CATALOG:
 * a file path or {@code classpath:...}); a broken catalog stops the function with every problem listed.
 */
@Factory
public class ActionCatalogFactory {
    private static final Logger LOG = LoggerFactory.getLogger(ActionCatalogFactory.class);

    @ConfigurationProperties("snapflow.catalog")
    public record CatalogConfiguration(
            @Nullable String location) {

        /** The configured location, or the built-in catalog when none is set. */
        public String effectiveLocation() {
            return location == null || location.isBlank() ? ActionCatalogLoader.DEFAULT_CATALOG : location;
        }
    }

    @Context
    public ActionCatalog actionCatalog(CatalogConfiguration config) {
        ActionCatalog catalog = ActionCatalogLoader.load(config.effectiveLocation());
        LOG.info("action catalog {}: actions {}, pipelines {}", config.effectiveLocation(), catalog.actionNames(),
                catalog.pipelineNames());
        return catalog;
    }
}
