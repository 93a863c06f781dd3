package dev.snapflow.knative;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.knative.serving.v1.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Both overlays build with kubectl kustomize and render the whole deployment, nothing more. */
class OverlayBuildTest {
    static final List<String> OVERLAYS = ProjectLayout.OVERLAYS;

    /** What both overlays deploy, by kind (Secrets only in dev: prod's are created outside git). */
    private static final Map<String, Integer> COMMON_KINDS = Map.ofEntries(
            Map.entry("Namespace", 2),
            Map.entry("ServiceAccount", 3),
            Map.entry("Role", 2),
            Map.entry("RoleBinding", 2),
            // The functions may read the service-account issuer's public keys (rbac/oidc-discovery.yaml).
            Map.entry("ClusterRoleBinding", 1),
            Map.entry("ConfigMap", 3),
            Map.entry("Broker", 1),
            Map.entry("Trigger", 9),
            Map.entry("KafkaSink", 2),
            Map.entry("KafkaSource", 1),
            Map.entry("PingSource", 1),
            Map.entry("SinkBinding", 4),
            Map.entry("EventPolicy", 9),
            Map.entry("Service", 4),
            Map.entry("Job", 1));

    @ParameterizedTest(name = "overlay {0}")
    @FieldSource("OVERLAYS")
    void overlayRendersTheWholeDeployment(String overlay) {
        Map<String, Integer> expected = new TreeMap<>(COMMON_KINDS);
        if (overlay.equals("dev")) {
            expected.put("Secret", 4);
        }
        Map<String, Integer> kinds = BuiltOverlay.of(overlay).manifests().all().stream()
                .collect(Collectors.groupingBy(HasMetadata::getKind, TreeMap::new, Collectors.summingInt(o -> 1)));
        assertThat(kinds).isEqualTo(expected);
    }

    @Test
    void prodOverlayContainsNoSecretValues() {
        assertThat(BuiltOverlay.of("prod").manifests().ofKind(Secret.class)).isEmpty();
    }

    @Test
    void devOverlayUsesLocalImagesAndProdOverlayARegistry() {
        for (Service function : BuiltOverlay.of("dev").functions()) {
            assertThat(BuiltOverlay.container(function).getImage()).startsWith("dev.local/snapflow/function-"
                    + function.getMetadata().getName() + ":");
        }
        for (Service function : BuiltOverlay.of("prod").functions()) {
            assertThat(BuiltOverlay.container(function).getImage())
                    .as("prod image of %s", function.getMetadata().getName())
                    .matches("[a-z0-9.-]+\\.[a-z]+(:[0-9]+)?/snapflow/function-" + function.getMetadata().getName() + "[:@].+")
                    .doesNotStartWith("dev.local/");
        }
    }

    @ParameterizedTest(name = "overlay {0}")
    @FieldSource("OVERLAYS")
    void kafkaSinksAndSourceUseTheBrokersBootstrapServers(String overlay) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        String bootstrap = built.configMap("snapflow", "kafka-broker-config").getData().get("bootstrap.servers");
        assertThat(bootstrap).isNotBlank();
        for (var sink : built.manifests().ofKind(io.fabric8.knative.eventing.v1alpha1.KafkaSink.class)) {
            assertThat(sink.getSpec().getBootstrapServers()).as(Manifests.id(sink)).containsExactly(bootstrap);
        }
        for (var source : built.manifests().ofKind(io.fabric8.knative.sources.v1beta1.KafkaSource.class)) {
            assertThat(source.getSpec().getBootstrapServers()).as(Manifests.id(source)).containsExactly(bootstrap);
        }
    }
}
