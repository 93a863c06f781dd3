package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.spark.actions.ActionCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParamsSchemaTest {
    private final ParamsValidator validator = new ParamsValidator(new ActionCatalog().names());

    @ParameterizedTest
    @ValueSource(strings = {"ingest", "clean", "aggregate", "compact"})
    void theShippedOrdersExampleOfEveryActionIsValid(String action) {
        assertThat(validator.validate(action, PipelineFixture.exampleParams(action))).isNotNull();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "ingest    | {\"csv\": {\"delimiter\": \";;\"}}                                   | $.csv.delimiter",
            "ingest    | {\"schema\": [{\"name\": \"a\", \"type\": \"varchar\"}]}              | $.schema[0].type",
            "ingest    | {\"extra\": 1}                                                       | extra",
            "clean     | {}                                                                   | schema",
            "clean     | {\"schema\": [{\"name\": \"a\", \"type\": \"int\"}], \"dedup\": {\"key\": [\"a\"]}} | orderBy",
            "clean     | {\"schema\": [{\"name\": \"a\", \"type\": \"int\"}], \"rules\": [{\"rule\": \"between\", \"column\": \"a\"}]} | $.rules[0]",
            "clean     | {\"schema\": [{\"name\": \"a\", \"type\": \"int\"}], \"rules\": [{\"rule\": \"regex\", \"column\": \"a\"}]} | $.rules[0]",
            "aggregate | {\"aggregations\": []}                                               | $.aggregations",
            "aggregate | {\"aggregations\": [{\"function\": \"sum\", \"as\": \"s\"}]}           | column",
            "aggregate | {\"aggregations\": [{\"function\": \"approx_percentile\", \"column\": \"x\", \"as\": \"p\"}]} | percentile",
            "aggregate | {\"timeBucket\": {\"column\": \"t\", \"unit\": \"year\"}, \"aggregations\": [{\"function\": \"count\", \"as\": \"n\"}]} | $.timeBucket.unit",
            "compact   | {\"targetFileBytes\": 10}                                            | $.targetFileBytes",
            "compact   | [1, 2]                                                               | $",
    })
    void invalidParamsAreRejectedNamingTheField(String action, String params, String field) {
        assertThatThrownBy(() -> validator.validate(action, params))
                .isInstanceOfSatisfying(JobFailure.class, f -> assertThat(f.errorClass()).isEqualTo(ErrorClass.INVALID_PARAMS))
                .hasMessageContaining(field);
    }

    @Test
    void paramsThatAreNotJsonAreRejected() {
        assertThatThrownBy(() -> validator.validate("compact", "{targetFileBytes: 1"))
                .isInstanceOf(JobFailure.class).hasMessageContaining("not valid JSON");
    }

    @Test
    void anUnknownActionIsRejectedListingTheKnownOnes() {
        assertThatThrownBy(() -> validator.validate("explode", "{}"))
                .isInstanceOf(JobFailure.class).hasMessageContaining("unknown action 'explode'").hasMessageContaining("clean");
    }
}
