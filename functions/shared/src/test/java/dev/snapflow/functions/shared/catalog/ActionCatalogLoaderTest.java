package dev.snapflow.functions.shared.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.storage.Tier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ActionCatalogLoaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ActionCatalog parse(String yaml) {
        return ActionCatalogLoader.parse("test.yml", yaml.getBytes(StandardCharsets.UTF_8), null);
    }

    @Test
    void defaultCatalogLoadsWithItsActionsAndTheRefreshPipeline() {
        ActionCatalog catalog = ActionCatalogLoader.load(ActionCatalogLoader.DEFAULT_CATALOG);
        assertThat(catalog.actionNames()).containsExactly("aggregate", "clean", "compact", "ingest");
        assertThat(catalog.stepsOf("refresh")).extracting(ActionDefinition::name)
                .containsExactly("ingest", "clean", "aggregate");
        assertThat(catalog.action("ingest").orElseThrow().inputTier()).isEqualTo(Tier.RAW);
    }

    @Test
    void unknownNameListsKnownActionsAndPipelines() {
        ActionCatalog catalog = ActionCatalogLoader.load(ActionCatalogLoader.DEFAULT_CATALOG);
        assertThatThrownBy(() -> catalog.stepsOf("transmogrify"))
                .hasMessageContaining("transmogrify")
                .hasMessageContaining("aggregate, clean, compact, ingest")
                .hasMessageContaining("refresh");
    }

    @Test
    void paramsOutsideTheSchemaAreReportedWithTheirField() throws Exception {
        ActionCatalog catalog = ActionCatalogLoader.load(ActionCatalogLoader.DEFAULT_CATALOG);
        assertThat(catalog.validateParams("ingest", JSON.readTree("{\"onMalformed\": \"explode\"}")))
                .extracting(ParamsViolation::field).containsExactly("params.onMalformed");
        assertThat(catalog.validateParams("ingest", JSON.readTree("{\"bogus\": 1}")))
                .extracting(ParamsViolation::field).containsExactly("params.bogus");
        assertThat(catalog.validateParams("clean", JSON.readTree("{}")))
                .extracting(ParamsViolation::field).containsExactly("params.schema");
        assertThat(catalog.validateParams("ingest", JSON.readTree("{}"))).isEmpty();
    }

    @Test
    void aRegexRulePatternTheLinearTimeEngineCannotCompileIsReportedWithItsField() throws Exception {
        ActionCatalog catalog = ActionCatalogLoader.load(ActionCatalogLoader.DEFAULT_CATALOG);
        String params = """
                {"schema": [{"name": "code", "type": "string"}],
                 "rules": [{"rule": "not_null", "column": "code"},
                           {"rule": "regex", "column": "code", "pattern": "(a+)+$"},
                           {"rule": "regex", "column": "code", "pattern": "^(a)\\\\1$"},
                           {"rule": "regex", "column": "code", "pattern": "^a(?!b)"}]}""";

        assertThat(catalog.validateParams("clean", JSON.readTree(params)))
                .extracting(ParamsViolation::field).containsExactly("params.rules[2].pattern", "params.rules[3].pattern");
        assertThat(catalog.validateParams("clean", JSON.readTree(params)).get(0).message()).contains("RE2");
    }

    /** The jobs' own examples (spark-jobs/src/main/resources/params/examples) are valid for the catalog too. */
    @ParameterizedTest
    @ValueSource(strings = {"ingest", "clean", "aggregate", "compact"})
    void jobsExampleParamsAreValid(String action) throws Exception {
        Path example = Path.of(System.getProperty("snapflow.root", "../.."), "spark-jobs", "src", "main", "resources",
                "params", "examples", action + ".orders.json");
        ActionCatalog catalog = ActionCatalogLoader.load(ActionCatalogLoader.DEFAULT_CATALOG);
        assertThat(catalog.validateParams(action, JSON.readTree(Files.readAllBytes(example)))).isEmpty();
    }

    @Test
    void everyProblemOfABrokenCatalogIsReportedAtOnceWithItsLocation() {
        String yaml = """
                catalogVersion: 1
                actions:
                  ingest:
                    image: img
                    mainClass: not a class
                    jobVersion: "1"
                    input: raw
                    output: platinum
                    maxAttempts: 0
                    timeout: forever
                    resources: {driverCores: 0, driverMemory: lots, executorCount: 1, executorCores: 1, executorMemory: 1g}
                    paramsSchema: {type: object}
                pipelines:
                  refresh:
                    actions: [ingest, clean]
                """;
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(InvalidCatalogException.class)
                .satisfies(e -> assertThat(((InvalidCatalogException) e).problems()).anySatisfy(p -> assertThat(p).startsWith("actions.ingest.mainClass"))
                        .anySatisfy(p -> assertThat(p).startsWith("actions.ingest.output"))
                        .anySatisfy(p -> assertThat(p).startsWith("actions.ingest.maxAttempts"))
                        .anySatisfy(p -> assertThat(p).startsWith("actions.ingest.timeout"))
                        .anySatisfy(p -> assertThat(p).startsWith("actions.ingest.resources.driverCores"))
                        .anySatisfy(p -> assertThat(p).startsWith("actions.ingest.resources.driverMemory"))
                        .anySatisfy(p -> assertThat(p).startsWith("pipelines.refresh.actions[1]: unknown action 'clean'")));
    }

    @Test
    void pipelineWhoseStepsDoNotChainTiersIsRefused() {
        String yaml = """
                catalogVersion: 1
                actions:
                  a:
                    {image: i, mainClass: x.A, jobVersion: "1", input: raw, output: bronze,
                     resources: {driverCores: 1, driverMemory: 1g, executorCount: 1, executorCores: 1, executorMemory: 1g},
                     paramsSchema: {type: object}}
                  b:
                    {image: i, mainClass: x.B, jobVersion: "1", input: silver, output: gold,
                     resources: {driverCores: 1, driverMemory: 1g, executorCount: 1, executorCores: 1, executorMemory: 1g},
                     paramsSchema: {type: object}}
                pipelines:
                  p: {actions: [a, b]}
                """;
        assertThatThrownBy(() -> parse(yaml)).hasMessageContaining("pipelines.p.actions[1]: b reads silver but the previous step a writes bronze");
    }

    @Test
    void unknownFieldsAreRefusedSoTyposDoNotPassSilently() {
        String yaml = """
                catalogVersion: 1
                actions:
                  a:
                    {image: i, mainClass: x.A, jobVersion: "1", input: raw, output: bronze, maxAtempts: 2,
                     resources: {driverCores: 1, driverMemory: 1g, executorCount: 1, executorCores: 1, executorMemory: 1g},
                     paramsSchema: {type: object}}
                """;
        assertThatThrownBy(() -> parse(yaml)).hasMessageContaining("actions.a.maxAtempts: unknown field");
    }

    @Test
    void notYamlIsReportedAsSuch() {
        assertThatThrownBy(() -> parse("actions: [unclosed")).hasMessageContaining("not valid YAML");
    }
}
