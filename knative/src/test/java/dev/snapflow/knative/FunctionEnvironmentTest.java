package dev.snapflow.knative;

import dev.snapflow.knative.FunctionEnvironment.Source;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every setting a function reads reaches it on Knative, from an object the deployment has, and every setting
 * is documented for the operator in docs/deploy.md.
 */
class FunctionEnvironmentTest {
    static final List<String> OVERLAYS = ProjectLayout.OVERLAYS;
    static final List<String> FUNCTIONS = ProjectLayout.FUNCTIONS;

    static Stream<Arguments> functionsInOverlays() {
        return OVERLAYS.stream().flatMap(o -> ProjectLayout.FUNCTIONS.stream().map(f -> Arguments.of(o, f)));
    }

    @ParameterizedTest(name = "{1} in overlay {0}")
    @MethodSource("functionsInOverlays")
    void everyConfigMapAndSecretKeyAFunctionReferencesExists(String overlay, String function) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        List<String> missing = new ArrayList<>();
        FunctionEnvironment.of(built, function).forEach((name, source) -> {
            switch (source) {
                case Source.ConfigMapKey(String configMap, String key) -> {
                    var data = built.manifests().find(ConfigMap.class, "snapflow", configMap).map(ConfigMap::getData);
                    if (data.isEmpty() || !data.get().containsKey(key)) {
                        missing.add(name + " <- ConfigMap " + configMap + " key " + key);
                    }
                }
                case Source.SecretKey(String secret, String key) -> {
                    var data = FunctionEnvironment.secretData(built, secret);
                    if (data.isEmpty() || !data.get().containsKey(key)) {
                        missing.add(name + " <- Secret " + secret + " key " + key);
                    }
                }
                default -> { }
            }
        });
        assertThat(missing).as("references of %s without an object or key", function).isEmpty();
    }

    @ParameterizedTest(name = "{1} in overlay {0}")
    @MethodSource("functionsInOverlays")
    void everyVariableTheFunctionReadsIsSetOrDocumentedOptional(String overlay, String function) {
        assumeTrue(Files.isRegularFile(FunctionSettings.applicationYml(function)),
                () -> "not checked yet: " + ProjectLayout.root().relativize(FunctionSettings.applicationYml(function))
                        + " does not exist");
        Map<String, Source> env = FunctionEnvironment.of(BuiltOverlay.of(overlay), function);
        Map<String, DeployGuide.Variable> documented = DeployGuide.variables();
        List<String> unset = new ArrayList<>();
        FunctionSettings.variablesRead(function).forEach((name, hasDefault) -> {
            boolean optional = hasDefault && documented.containsKey(name) && documented.get(name).optional();
            if (!env.containsKey(name) && !optional) {
                unset.add(name + (hasDefault ? " (has a default but is not documented as optional in docs/deploy.md)" : ""));
            }
        });
        assertThat(unset).as("variables %s's application.yml reads that its Knative Service does not set", function)
                .isEmpty();
    }

    @ParameterizedTest(name = "{1} in overlay {0}")
    @MethodSource("functionsInOverlays")
    void aFunctionGetsOnlyTheSecretsItReads(String overlay, String function) {
        assumeTrue(Files.isRegularFile(FunctionSettings.applicationYml(function)),
                () -> "not checked yet: " + ProjectLayout.root().relativize(FunctionSettings.applicationYml(function))
                        + " does not exist");
        Set<String> read = FunctionSettings.variablesRead(function).keySet();
        Set<String> secretsGiven = FunctionEnvironment.of(BuiltOverlay.of(overlay), function).entrySet().stream()
                .filter(e -> e.getValue() instanceof Source.SecretKey).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(read).as("secret variables %s gets; it should only get those its application.yml reads", function)
                .containsAll(secretsGiven);
    }

    /** The Services' container port and probes only work if the function listens on PORT and serves /health. */
    @ParameterizedTest(name = "{0}")
    @FieldSource("FUNCTIONS")
    void functionListensOnKnativesPortAndServesItsHealthEndpoint(String function) throws IOException {
        assumeTrue(Files.isRegularFile(FunctionSettings.applicationYml(function)),
                () -> "not checked yet: " + ProjectLayout.root().relativize(FunctionSettings.applicationYml(function))
                        + " does not exist");
        JsonNode config = new YAMLMapper().readTree(FunctionSettings.applicationYml(function).toFile());
        assertThat(config.at("/micronaut/server/port").asText()).as("micronaut.server.port of %s", function)
                .startsWith("${PORT");
        assertThat(config.at("/endpoints/health/enabled").asBoolean(true)).as("endpoints.health.enabled of %s", function)
                .isTrue();
    }

    @ParameterizedTest(name = "overlay {0}")
    @FieldSource("OVERLAYS")
    void everyVariableTheServicesSetIsDocumented(String overlay) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        Set<String> set = new TreeSet<>();
        for (String function : ProjectLayout.FUNCTIONS) {
            set.addAll(FunctionEnvironment.of(built, function).keySet());
        }
        set.removeAll(FunctionEnvironment.SET_BY_KNATIVE);
        assertThat(DeployGuide.variables().keySet()).as("variables in the configuration reference of docs/deploy.md")
                .containsAll(set);
    }

    @Test
    void placeholdersAreEnvironmentVariablesWithOrWithoutDefaults() {
        String yaml = """
                # ${COMMENTED_OUT}
                datasources:
                  default:
                    url: ${SNAPFLOW_DB_URL}
                    username: ${SNAPFLOW_DB_USER:snapflow}
                    pool: ${SNAPFLOW_DB_POOL_SIZE:${OTHER_POOL:8}}
                    schema: ${snapflow.schema}
                sink: ${K_SINK:}
                again: ${SNAPFLOW_DB_USER}
                """;
        assertThat(FunctionSettings.placeholders(yaml)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "SNAPFLOW_DB_URL", false, "SNAPFLOW_DB_USER", false, "SNAPFLOW_DB_POOL_SIZE", true,
                "OTHER_POOL", true, "K_SINK", true));
    }

    @Test
    void devSecretsAndTheProdTemplateHaveTheSameNamesAndKeys() {
        Map<String, Set<String>> dev = keysByName(BuiltOverlay.of("dev").manifests().ofKind(Secret.class).stream()
                .map(s -> s.getMetadata().getName()).toList(), "dev");
        Map<String, Set<String>> prod = keysByName(Manifests.read(ProjectLayout.prodSecretsExample()).ofKind(Secret.class)
                .stream().map(s -> s.getMetadata().getName()).toList(), "prod");
        assertThat(dev).isNotEmpty().isEqualTo(prod);
        Manifests.read(ProjectLayout.prodSecretsExample()).ofKind(Secret.class).forEach(s -> assertThat(s.getStringData())
                .as("placeholders in %s", Manifests.id(s)).allSatisfy((k, v) -> assertThat(v).isEqualTo("REPLACE_ME")));
    }

    @Test
    void devCallbackKeyIsLongEnoughForTheJobTokens() {
        String key = FunctionEnvironment.secretData(BuiltOverlay.of("dev"), "snapflow-auth").orElseThrow()
                .get("SNAPFLOW_CALLBACK_HMAC_KEY");
        assertThat(key).hasSizeGreaterThanOrEqualTo(32);
    }

    private static Map<String, Set<String>> keysByName(List<String> names, String overlay) {
        Map<String, Set<String>> keys = new TreeMap<>();
        for (String name : names) {
            keys.put(name, new TreeSet<>(FunctionEnvironment.secretData(BuiltOverlay.of(overlay), name).orElseThrow().keySet()));
        }
        return keys;
    }
}
