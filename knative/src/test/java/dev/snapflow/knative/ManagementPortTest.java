package dev.snapflow.knative;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Management endpoints (health with details, prometheus) listen on their own port, which the Knative Service does
 * not expose; the serving port gets the probes only, and Prometheus scrapes the management port.
 */
class ManagementPortTest {
    static final java.util.List<String> FUNCTIONS = ProjectLayout.FUNCTIONS;

    static Stream<Arguments> functionsInOverlays() {
        return ProjectLayout.OVERLAYS.stream().flatMap(o -> ProjectLayout.FUNCTIONS.stream().map(f -> Arguments.of(o, f)));
    }

    @ParameterizedTest(name = "{1} in overlay {0}")
    @MethodSource("functionsInOverlays")
    void managementListensOnAPortTheServiceDoesNotExposeAndPrometheusScrapesIt(String overlay, String name) {
        Service function = BuiltOverlay.of(overlay).function(name);
        Container container = BuiltOverlay.container(function);
        String managementPort = container.getEnv().stream().filter(e -> e.getName().equals("SNAPFLOW_MANAGEMENT_PORT"))
                .map(EnvVar::getValue).findFirst().orElseThrow(() -> new AssertionError(name + " sets no SNAPFLOW_MANAGEMENT_PORT"));
        assertThat(container.getPorts()).singleElement().satisfies(port ->
                assertThat(Integer.toString(port.getContainerPort())).isNotEqualTo(managementPort));
        Map<String, String> annotations = function.getSpec().getTemplate().getMetadata().getAnnotations();
        assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", managementPort)
                .containsEntry("prometheus.io/path", "/prometheus");
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("FUNCTIONS")
    void onlyHealthAndPrometheusAreEnabledAndOnlyOnTheManagementPort(String function) throws IOException {
        JsonNode endpoints = new YAMLMapper().readTree(FunctionSettings.applicationYml(function).toFile()).path("endpoints");
        assertThat(endpoints.at("/all/port").asText()).as("endpoints.all.port of %s", function)
                .startsWith("${SNAPFLOW_MANAGEMENT_PORT:");
        assertThat(endpoints.at("/all/enabled").asBoolean(true)).as("endpoints.all.enabled of %s", function).isFalse();
        assertThat(endpoints.at("/all/sensitive").asBoolean(false)).as("endpoints.all.sensitive of %s", function).isTrue();
        for (Iterator<Map.Entry<String, JsonNode>> it = endpoints.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> endpoint = it.next();
            if (!endpoint.getKey().equals("all") && endpoint.getValue().path("enabled").asBoolean(false)) {
                assertThat(endpoint.getKey()).as("an endpoint %s enables", function).isIn("health", "prometheus");
            }
        }
    }
}
