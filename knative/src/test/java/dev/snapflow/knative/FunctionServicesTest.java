package dev.snapflow.knative;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.knative.serving.v1.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Each function is a Knative Service that scales, probes, listens and is configured the way Snapflow needs. */
class FunctionServicesTest {
    private static final String MIN_SCALE = "autoscaling.knative.dev/min-scale";
    private static final String MAX_SCALE = "autoscaling.knative.dev/max-scale";
    private static final String TARGET = "autoscaling.knative.dev/target";
    private static final String VISIBILITY = "networking.knative.dev/visibility";

    static Stream<Arguments> functionsInOverlays() {
        return ProjectLayout.OVERLAYS.stream().flatMap(o -> ProjectLayout.FUNCTIONS.stream().map(f -> Arguments.of(o, f)));
    }

    @Test
    void theOverlaysDeployExactlyTheFourFunctions() {
        for (String overlay : ProjectLayout.OVERLAYS) {
            assertThat(BuiltOverlay.of(overlay).functions()).extracting(s -> s.getMetadata().getName())
                    .containsExactlyInAnyOrderElementsOf(ProjectLayout.FUNCTIONS);
        }
    }

    @Test
    void everythingScalesToZeroInDev() {
        for (Service function : BuiltOverlay.of("dev").functions()) {
            assertThat(annotations(function)).as(function.getMetadata().getName()).containsEntry(MIN_SCALE, "0");
        }
    }

    @Test
    void prodKeepsTheApiTheJobWatcherAndTheWebhookTimersWarmAndLetsEnqueueScaleToZero() {
        BuiltOverlay prod = BuiltOverlay.of("prod");
        assertThat(annotations(prod.function("validate"))).containsEntry(MIN_SCALE, "1");
        assertThat(annotations(prod.function("launch"))).containsEntry(MIN_SCALE, "1");
        assertThat(annotations(prod.function("callback"))).containsEntry(MIN_SCALE, "1");
        assertThat(annotations(prod.function("enqueue"))).containsEntry(MIN_SCALE, "0");
    }

    @ParameterizedTest(name = "{1} in overlay {0}")
    @MethodSource("functionsInOverlays")
    void functionHasBoundedScaleTimeoutAndResources(String overlay, String name) {
        Service function = BuiltOverlay.of(overlay).function(name);
        Map<String, String> annotations = annotations(function);
        int min = Integer.parseInt(annotations.get(MIN_SCALE));
        assertThat(Integer.parseInt(annotations.get(MAX_SCALE))).isGreaterThanOrEqualTo(Math.max(min, 1));
        assertThat(Integer.parseInt(annotations.get(TARGET))).isPositive();
        assertThat(function.getSpec().getTemplate().getSpec().getTimeoutSeconds()).isBetween(1L, 600L);
        Container container = BuiltOverlay.container(function);
        assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).containsKey("memory");
        assertThat(container.getResources().getLimits().get("memory"))
                .isEqualTo(container.getResources().getRequests().get("memory"));
    }

    @ParameterizedTest(name = "{1} in overlay {0}")
    @MethodSource("functionsInOverlays")
    void functionIsProbedOnItsHealthEndpointsAndListensOnKnativesPort(String overlay, String name) {
        Container container = BuiltOverlay.container(BuiltOverlay.of(overlay).function(name));
        assertHttpProbe(container.getReadinessProbe(), "/health/readiness");
        assertHttpProbe(container.getLivenessProbe(), "/health/liveness");
        assertThat(container.getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getName()).isEqualTo("http1");
            assertThat(port.getContainerPort()).isEqualTo(8080);
        });
        assertThat(container.getEnv()).extracting(e -> e.getName())
                .as("variables Knative reserves").doesNotContainAnyElementsOf(FunctionEnvironment.SET_BY_KNATIVE)
                .doesNotContain(FunctionEnvironment.SET_BY_SINK_BINDING);
        assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("JAVA_TOOL_OPTIONS")).singleElement()
                .satisfies(e -> assertThat(e.getValue()).contains("-XX:AOTCache=/app/"));
    }

    @ParameterizedTest(name = "{1} in overlay {0}")
    @MethodSource("functionsInOverlays")
    void functionFindsTheActionCatalogWhereSnapflowActionCatalogPoints(String overlay, String name) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        Service function = built.function(name);
        Path catalog = Path.of(built.setting("SNAPFLOW_ACTION_CATALOG"));
        VolumeMount mount = BuiltOverlay.container(function).getVolumeMounts().stream()
                .filter(m -> Path.of(m.getMountPath()).equals(catalog.getParent())).findFirst()
                .orElseThrow(() -> new AssertionError(name + " mounts nothing at " + catalog.getParent()));
        Volume volume = function.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
        ConfigMap configMap = built.configMap("snapflow", volume.getConfigMap().getName());
        assertThat(configMap.getData()).containsKey(catalog.getFileName().toString());
    }

    @ParameterizedTest(name = "{1} in overlay {0}")
    @MethodSource("functionsInOverlays")
    void onlyValidateIsReachableFromOutsideTheCluster(String overlay, String name) {
        Map<String, String> labels = BuiltOverlay.of(overlay).function(name).getMetadata().getLabels();
        if (name.equals("validate")) {
            assertThat(labels).doesNotContainKey(VISIBILITY);
        } else {
            assertThat(labels).containsEntry(VISIBILITY, "cluster-local");
        }
    }

    @Test
    void functionsTalkOverHttpAndLaunchStartsKubernetesJobs() {
        for (String overlay : ProjectLayout.OVERLAYS) {
            BuiltOverlay built = BuiltOverlay.of(overlay);
            assertThat(built.setting("SNAPFLOW_TRANSPORT")).isEqualTo("http");
            assertThat(built.setting("SNAPFLOW_LAUNCH_BACKEND")).isEqualTo("kubernetes");
            assertThat(built.setting("SNAPFLOW_CALLBACK_URL")).isEqualTo("http://callback.snapflow.svc.cluster.local");
            assertThat(built.function("callback").getMetadata().getNamespace()).isEqualTo("snapflow");
        }
    }

    private static Map<String, String> annotations(Service function) {
        return function.getSpec().getTemplate().getMetadata().getAnnotations();
    }

    private static void assertHttpProbe(Probe probe, String path) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        // Knative probes the serving port itself; a probe naming another port is rejected.
        assertThat(probe.getHttpGet().getPort()).isNull();
    }
}
