package dev.snapflow.knative;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No secret value is committed (not even the dev overlay's), and only the migration Job runs Flyway, as a user
 * of its own: the functions get the runtime user's Secret and no way to migrate.
 */
class SecretsAndMigrationTest {
    static final List<String> OVERLAYS = ProjectLayout.OVERLAYS;
    private static final String MIGRATION_SECRET = "snapflow-db-migration";
    private static final String MIGRATION_CLASS = "dev.snapflow.functions.shared.persistence.SchemaMigration";

    /** Every committed YAML file under knative/ (not the build's output, not the git-ignored secret files). */
    private static List<Path> committedYaml() throws IOException {
        Path knative = ProjectLayout.knative();
        try (Stream<Path> files = Files.walk(knative)) {
            return files.filter(p -> !p.startsWith(knative.resolve("target")) && !p.startsWith(knative.resolve("src")))
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).toList();
        }
    }

    @Test
    void noCommittedManifestHoldsASecretValue() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path file : committedYaml()) {
            for (JsonNode doc : Manifests.documents(Files.readString(file), file.toString())) {
                if (doc.path("kind").asText().equals("Secret")) {
                    if (!doc.path("data").isMissingNode() && !doc.path("data").isEmpty()) {
                        found.add(file + ": Secret " + doc.at("/metadata/name").asText() + " has data");
                    }
                    doc.path("stringData").properties().forEach(e -> {
                        if (!e.getValue().asText().equals("REPLACE_ME")) {
                            found.add(file + ": Secret " + doc.at("/metadata/name").asText() + " key " + e.getKey());
                        }
                    });
                }
                for (JsonNode generator : doc.path("secretGenerator")) {
                    if (generator.has("literals")) {
                        found.add(file + ": secretGenerator " + generator.path("name").asText() + " has literals");
                    }
                    for (String field : List.of("envs", "files")) {
                        for (JsonNode source : generator.path(field)) {
                            if (!source.asText().endsWith(".secret.env")) {
                                found.add(file + ": secretGenerator " + generator.path("name").asText() + " reads "
                                        + source.asText() + ", which is not a git-ignored *.secret.env file");
                            }
                        }
                    }
                }
            }
        }
        assertThat(found).isEmpty();
        assertThat(Files.readAllLines(ProjectLayout.root().resolve(".gitignore"))).contains("*.secret.env");
    }

    @ParameterizedTest(name = "overlay {0}")
    @FieldSource("OVERLAYS")
    void onlyTheMigrationJobMigratesWithItsOwnUserFromAFunctionImage(String overlay) throws IOException {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        Job job = built.manifests().get(Job.class, "snapflow", "snapflow-migrate");
        Container migrate = job.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(migrate.getImage()).isEqualTo(BuiltOverlay.container(built.function("validate")).getImage());
        assertThat(migrate.getCommand()).contains(MIGRATION_CLASS);
        assertThat(ProjectLayout.root().resolve("functions/shared/src/main/java/"
                + MIGRATION_CLASS.replace('.', '/') + ".java")).isRegularFile();
        assertThat(migrate.getEnv()).filteredOn(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                .extracting(e -> e.getValueFrom().getSecretKeyRef().getName()).containsOnly(MIGRATION_SECRET);
        for (EnvVar var : migrate.getEnv()) {
            if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
                assertThat(FunctionEnvironment.secretData(built, MIGRATION_SECRET)).as("Secret " + MIGRATION_SECRET)
                        .hasValueSatisfying(data -> assertThat(data).containsKey(var.getValueFrom().getSecretKeyRef().getKey()));
            }
        }
        for (Service function : built.functions()) {
            assertThat(BuiltOverlay.container(function).getEnv()).as("environment of %s", function.getMetadata().getName())
                    .noneMatch(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null
                            && e.getValueFrom().getSecretKeyRef().getName().equals(MIGRATION_SECRET));
        }
        assertThat(built.settings().getData()).doesNotContainKey("SNAPFLOW_DB_MIGRATE");
        for (String function : ProjectLayout.FUNCTIONS) {
            assertThat(Files.readString(FunctionSettings.applicationYml(function))).as("application.yml of %s", function)
                    .doesNotContain("flyway");
        }
    }
}
