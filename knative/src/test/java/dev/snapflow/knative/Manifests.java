package dev.snapflow.knative;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Kubernetes and Knative objects read from YAML into fabric8's typed models (the core model for Kubernetes
 * kinds, the knative-client model for Serving, Eventing, sources and KafkaSink). An object of a kind no model
 * knows would come back as a GenericKubernetesResource; a field a model does not know lands in an
 * {@code additionalProperties} map, which {@link #unknownFields} reports.
 */
final class Manifests {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final YAMLMapper YAML = new YAMLMapper();

    private final List<HasMetadata> objects;

    private Manifests(List<HasMetadata> objects) {
        this.objects = List.copyOf(objects);
    }

    static Manifests parse(String yaml, String origin) {
        List<HasMetadata> objects = new ArrayList<>();
        for (JsonNode document : documents(yaml, origin)) {
            KubernetesResource resource = SERIALIZATION.unmarshal(document.toString(), KubernetesResource.class);
            if (!(resource instanceof HasMetadata object)) {
                throw new AssertionError(origin + ": not a Kubernetes object: " + document);
            }
            objects.add(object);
        }
        return new Manifests(objects);
    }

    static Manifests read(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The YAML documents of a multi-document stream, as trees (empty documents skipped). */
    static List<JsonNode> documents(String yaml, String origin) {
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            List<JsonNode> documents = new ArrayList<>();
            while (it.hasNextValue()) {
                JsonNode node = it.nextValue();
                if (node != null && !node.isNull() && !node.isMissingNode()) {
                    documents.add(node);
                }
            }
            return documents;
        } catch (IOException e) {
            throw new AssertionError(origin + " is not valid YAML: " + e.getMessage(), e);
        }
    }

    List<HasMetadata> all() {
        return objects;
    }

    <T extends HasMetadata> List<T> ofKind(Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> kind, String namespace, String name) {
        return ofKind(kind).stream()
                .filter(o -> name.equals(o.getMetadata().getName()))
                .filter(o -> namespace == null || namespace.equals(o.getMetadata().getNamespace()))
                .findFirst();
    }

    <T extends HasMetadata> T get(Class<T> kind, String namespace, String name) {
        return find(kind, namespace, name).orElseThrow(() -> new AssertionError(
                "no " + kind.getSimpleName() + " " + namespace + "/" + name + " among " + describe()));
    }

    /** Does an object of this apiVersion, kind, namespace and name exist? (For Knative references.) */
    boolean contains(String apiVersion, String kind, String namespace, String name) {
        return objects.stream().anyMatch(o -> o.getApiVersion().equals(apiVersion) && o.getKind().equals(kind)
                && o.getMetadata().getName().equals(name)
                && (namespace == null || namespace.equals(o.getMetadata().getNamespace())));
    }

    String describe() {
        return objects.stream().map(Manifests::id).toList().toString();
    }

    static String id(HasMetadata o) {
        return o.getKind() + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    /**
     * Every field the typed model did not recognise, as {@code path: names}: a typo or a field of a newer API
     * version that the cluster would reject or, worse, silently ignore.
     */
    static List<String> unknownFields(Object model) {
        List<String> found = new ArrayList<>();
        walk(model, "", found);
        return found;
    }

    private static void walk(Object value, String path, List<String> found) {
        if (value == null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", found);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> walk(item, path + "[" + key + "]", found));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || getter.getDeclaringClass() == Object.class || !getter.getName().startsWith("get")) {
                continue;
            }
            Object child;
            try {
                child = getter.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    found.add((path.isEmpty() ? "." : path) + ": " + extra.keySet());
                }
            } else {
                walk(child, path + "." + fieldName(getter), found);
            }
        }
    }

    private static String fieldName(Method getter) {
        String name = getter.getName().substring(3);
        return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }
}
