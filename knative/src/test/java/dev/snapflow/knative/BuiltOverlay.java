package dev.snapflow.knative;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.knative.serving.v1.Service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** An overlay as {@code kubectl kustomize} renders it: what `kubectl apply -k` would send to the cluster. */
record BuiltOverlay(String name, Manifests manifests) {
    private static final Map<String, BuiltOverlay> BUILT = new ConcurrentHashMap<>();

    static BuiltOverlay of(String name) {
        return BUILT.computeIfAbsent(name, n -> new BuiltOverlay(n,
                Manifests.parse(Kustomize.build(buildable(n)), "kubectl kustomize knative/overlays/" + n)));
    }

    /**
     * The overlay's directory, ready to build. The dev overlay reads its Secrets from git-ignored files that
     * {@code generate-secrets} writes, as an operator runs it once: it is built from a copy of knative/ in which the
     * script has run, so the tests neither need nor leave secret files in the working tree.
     */
    private static Path buildable(String name) {
        if (!name.equals("dev")) {
            return ProjectLayout.overlay(name);
        }
        try {
            Path copy = Files.createTempDirectory("snapflow-knative-");
            Path knative = ProjectLayout.knative();
            try (Stream<Path> files = Files.walk(knative)) {
                for (Path source : files.filter(p -> !p.startsWith(knative.resolve("target"))
                        && !p.getFileName().toString().endsWith(".secret.env")).toList()) {
                    Path target = copy.resolve(knative.relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
            Path overlay = copy.resolve("overlays").resolve(name);
            Process script = new ProcessBuilder(overlay.resolve("generate-secrets").toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!script.waitFor(1, TimeUnit.MINUTES) || script.exitValue() != 0) {
                throw new AssertionError("knative/overlays/dev/generate-secrets failed");
            }
            return overlay;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
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
