package dev.snapflow.knative;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.knative.serving.v1.Service;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** An overlay as {@code kubectl kustomize} renders it: what `kubectl apply -k` would send to the cluster. */
record BuiltOverlay(String name, Manifests manifests) {
    private static final Map<String, BuiltOverlay> BUILT = new ConcurrentHashMap<>();

    static BuiltOverlay of(String name) {
        return BUILT.computeIfAbsent(name, n -> new BuiltOverlay(n,
                Manifests.parse(Kustomize.build(ProjectLayout.overlay(n)), "kubectl kustomize knative/overlays/" + n)));
    }

    List<Service> functions() {
        return manifests.ofKind(Service.class);
    }

    Service function(String name) {
        return manifests.get(Service.class, "snapflow", name);
    }

    static Container container(Service service) {
        List<Container> containers = service.getSpec().getTemplate().getSpec().getContainers();
        if (containers.size() != 1) {
            throw new AssertionError("Knative Service " + service.getMetadata().getName() + " must have exactly one container");
        }
        return containers.getFirst();
    }

    /** A ConfigMap by the name a reference uses (generated ConfigMaps carry a content hash, references follow). */
    ConfigMap configMap(String namespace, String name) {
        return manifests.get(ConfigMap.class, namespace, name);
    }

    /** The shared settings ConfigMap (snapflow-config-<hash>). */
    ConfigMap settings() {
        List<ConfigMap> matching = manifests.ofKind(ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().startsWith("snapflow-config-")).toList();
        if (matching.size() != 1) {
            throw new AssertionError("expected one generated snapflow-config ConfigMap in " + name + ", found " + matching.size());
        }
        return matching.getFirst();
    }

    String setting(String key) {
        String value = settings().getData().get(key);
        if (value == null) {
            throw new AssertionError("snapflow-config in overlay " + name + " has no key " + key);
        }
        return value;
    }

    static String label(HasMetadata o, String key) {
        Map<String, String> labels = o.getMetadata().getLabels();
        return labels == null ? null : labels.get(key);
    }
}
