package dev.snapflow.knative;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every manifest, as written and as built, is an object of a known kind with only known fields. */
class ManifestModelTest {
    static final List<String> OVERLAYS = ProjectLayout.OVERLAYS;

    @Test
    void everyManifestFileParsesIntoTypedModelsWithoutUnknownFields() throws IOException {
        List<Path> files = manifestFiles();
        assertThat(files).as("manifest files under knative/").hasSizeGreaterThan(10);
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            for (HasMetadata object : Manifests.read(file).all()) {
                problems.addAll(problemsOf(object, ProjectLayout.knative().relativize(file).toString()));
            }
        }
        assertThat(problems).isEmpty();
    }

    @ParameterizedTest(name = "overlay {0}")
    @FieldSource("OVERLAYS")
    void everyBuiltObjectIsTypedAndHasOnlyKnownFields(String overlay) {
        List<String> problems = new ArrayList<>();
        for (HasMetadata object : BuiltOverlay.of(overlay).manifests().all()) {
            problems.addAll(problemsOf(object, "overlay " + overlay));
        }
        assertThat(problems).isEmpty();
    }

    @ParameterizedTest(name = "overlay {0}")
    @FieldSource("OVERLAYS")
    void everyBuiltObjectCarriesTheRecommendedLabels(String overlay) {
        for (HasMetadata object : BuiltOverlay.of(overlay).manifests().all()) {
            assertThat(object.getMetadata().getLabels()).as(Manifests.id(object))
                    .containsEntry("app.kubernetes.io/part-of", "snapflow")
                    .containsEntry("app.kubernetes.io/managed-by", "kustomize")
                    .containsKeys("app.kubernetes.io/name", "app.kubernetes.io/component");
        }
    }

    @Test
    void aFieldTheModelDoesNotKnowIsReportedWithItsPath() {
        Manifests misspelt = Manifests.parse("""
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: validate
                spec:
                  template:
                    spec:
                      timeoutSecond: 30
                      containers:
                        - image: example.com/validate
                          readinessProbe:
                            httpGet:
                              pth: /health/readiness
                """, "inline");
        HasMetadata service = misspelt.all().getFirst();
        assertThat(service).isInstanceOf(io.fabric8.knative.serving.v1.Service.class);
        assertThat(Manifests.unknownFields(service)).containsExactlyInAnyOrder(
                ".spec.template.spec: [timeoutSecond]",
                ".spec.template.spec.containers[0].readinessProbe.httpGet: [pth]");
    }

    @Test
    void aKindWithoutModelIsReported() {
        HasMetadata unknown = Manifests.parse("""
                apiVersion: example.com/v1
                kind: Widget
                metadata:
                  name: w
                """, "inline").all().getFirst();
        assertThat(problemsOf(unknown, "inline")).singleElement().asString().contains("has no typed model");
    }

    private static List<String> problemsOf(HasMetadata object, String origin) {
        List<String> problems = new ArrayList<>();
        String id = origin + ": " + Manifests.id(object);
        if (object instanceof GenericKubernetesResource) {
            problems.add(id + " (" + object.getApiVersion() + ") has no typed model: unknown apiVersion or kind");
        }
        if (object.getMetadata() == null || object.getMetadata().getName() == null) {
            problems.add(id + " has no metadata.name");
        }
        Manifests.unknownFields(object).forEach(field -> problems.add(id + " has unknown fields at " + field));
        return problems;
    }

    /** Whole Kubernetes objects under knative/ (not kustomizations, JSON patches, the routing table or config files). */
    private static List<Path> manifestFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        // Only the source folders: target/ changes while the tests run.
        for (String folder : List.of("base", "overlays", "examples")) {
            try (Stream<Path> paths = Files.walk(ProjectLayout.knative().resolve(folder))) {
                paths.filter(p -> p.toString().endsWith(".yaml")).filter(ManifestModelTest::isKubernetesObjectFile)
                        .forEach(files::add);
            }
        }
        return files.stream().sorted().toList();
    }

    private static boolean isKubernetesObjectFile(Path file) {
        try {
            List<JsonNode> documents = Manifests.documents(Files.readString(file), file.toString());
            return !documents.isEmpty() && documents.stream().allMatch(d -> d.isObject() && d.has("apiVersion")
                    && d.has("kind") && !d.path("apiVersion").asText().startsWith("kustomize.config.k8s.io"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
