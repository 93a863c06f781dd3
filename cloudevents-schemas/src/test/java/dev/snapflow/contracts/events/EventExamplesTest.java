package dev.snapflow.contracts.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.TestResources;
import dev.snapflow.contracts.schema.SchemaValidator;
import dev.snapflow.contracts.schema.Violation;
import io.cloudevents.CloudEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The example events (also shown in the README) are valid, and the invalid ones fail naming their field. */
class EventExamplesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<String> eventTypes() {
        return EventTypes.all();
    }

    @ParameterizedTest
    @MethodSource("eventTypes")
    void exampleEventValidatesAgainstItsSchemaAndReadsAsTheSampleRecord(String type) throws IOException {
        byte[] example = TestResources.example("events/" + type + ".json");
        JsonNode data = JSON.readTree(example).get("data");

        assertThat(new SchemaValidator().validate(EventTypes.schemaUri(type), data)).isEmpty();
        CloudEvent event = Events.fromJson(example);
        assertThat(event.getType()).isEqualTo(type);
        assertThat(Events.read(event)).isEqualTo(SampleEvents.all().get(type));
        // Compared as text: the tree from a record holds longs where the parsed one holds ints.
        assertThat(JSON.readTree(Events.toJsonNode(Events.read(event)).toString())).isEqualTo(data);
    }

    @ParameterizedTest(name = "{0} names {1}")
    @CsvSource({
            "dev.snapflow.process.requested.v1--missing-tenant, tenant, is required",
            "dev.snapflow.process.requested.v1--unknown-field, parmas, unknown field",
            "dev.snapflow.process.requested.v1--wrong-type, dataVersion, string expected",
            "dev.snapflow.process.requested.v1--path-traversal, entity, not contain '..'",
            "dev.snapflow.process.requested.v1--action-and-pipeline, '', exactly one of action and pipeline",
            "dev.snapflow.step.completed.v1--bad-enum, outcome, enumeration",
            "dev.snapflow.step.completed.v1--succeeded-without-output, outputManifest, is required",
            "dev.snapflow.job.status.v1--bad-error-class, error.errorClass, enumeration",
            "dev.snapflow.job.requested.v1--job-id-mismatch, jobId, from the arguments' process, step and attempt",
            "dev.snapflow.snapshot.published.v1--latest-version, dataVersion, not 'latest'",
            "dev.snapflow.snapshot.published.v1--wrong-manifest-key, manifestKey, acme/orders/2026-11-20/raw/_manifest.json",
            "dev.snapflow.process.accepted.v1--empty-steps, steps, at least 1",
            "dev.snapflow.process.failed.v1--bad-timestamp, finishedAt, RFC 3339",
            "dev.snapflow.process.cancelled.v1--foreign-job, runningJobs, belongs to another process",
            "dev.snapflow.job.launched.v1--missing-backend, backend, is required",
            "dev.snapflow.process.succeeded.v1--missing-steps, steps, is required",
    })
    void invalidExampleIsRejectedNamingTheField(String example, String field, String reason) {
        CloudEvent event = Events.fromJson(TestResources.example("invalid/" + example + ".json"));

        InvalidEventException e = catchThrowableOfType(InvalidEventException.class, () -> Events.read(event));

        assertThat(e).as("reading %s", example).isNotNull();
        assertThat(e.violations()).as(e.getMessage())
                .anySatisfy(v -> {
                    assertThat(v.field()).isEqualTo(field);
                    assertThat(v.message()).contains(reason);
                });
        assertThat(e.getMessage()).contains(event.getId(), event.getType());
        assertThat(e.violations()).extracting(Violation::toString).allSatisfy(line -> assertThat(line).isNotBlank());
    }
}
