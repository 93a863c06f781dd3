package dev.snapflow.knative;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalog deployed in the ConfigMap is the functions' own default catalog, with only the job images
 * pointing elsewhere, so Knative never runs with an action list the code has not been tested with.
 */
class ActionCatalogCopyTest {
    private static final Path DEPLOYED = ProjectLayout.knative().resolve("base/config/action-catalog.yaml");
    private static final Path DEFAULT = ProjectLayout.root()
            .resolve("functions/shared/src/main/resources/snapflow/action-catalog.yml");

    @Test
    void deployedCatalogDiffersFromTheFunctionsDefaultOnlyInJobImages() throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        JsonNode deployed = yaml.readTree(DEPLOYED.toFile());
        JsonNode original = yaml.readTree(DEFAULT.toFile());
        assertThat(deployed.path("actions").size()).isPositive();
        deployed.path("actions").forEach(action ->
                assertThat(action.path("image").asText()).as("job image").matches("[a-z0-9.-]+\\.[a-z]+(:[0-9]+)?/.+[:@].+"));
        assertThat(withoutImages(deployed))
                .as("knative/base/config/action-catalog.yaml must be functions/shared's action-catalog.yml with other"
                        + " job images only: copy the changed catalog over")
                .isEqualTo(withoutImages(original));
    }

    /** Output locations include the job version, so the image (name:version[@digest]) must hold that version's jar. */
    @Test
    void everyJobImageIsTaggedWithTheActionsJobVersion() throws IOException {
        JsonNode deployed = new YAMLMapper().readTree(DEPLOYED.toFile());
        deployed.path("actions").properties().forEach(action -> {
            String image = action.getValue().path("image").asText();
            String reference = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
            String tag = reference.substring(reference.lastIndexOf(':') + 1);
            assertThat(tag).as("tag of the image of action %s", action.getKey())
                    .isEqualTo(action.getValue().path("jobVersion").asText());
        });
    }

    private static JsonNode withoutImages(JsonNode catalog) {
        JsonNode copy = catalog.deepCopy();
        copy.path("actions").forEach(action -> ((ObjectNode) action).remove("image"));
        return copy;
    }
}
