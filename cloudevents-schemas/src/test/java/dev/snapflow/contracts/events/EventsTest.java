package dev.snapflow.contracts.events;

import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.contracts.schema.Violation;
import dev.snapflow.contracts.storage.SnapshotRef;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class EventsTest {
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final ProcessAccepted ACCEPTED =
            (ProcessAccepted) SampleEvents.all().get(EventTypes.PROCESS_ACCEPTED);

    @Test
    void eventCarriesTheContractAttributes() {
        CloudEvent event = Events.newEvent(ACCEPTED).source(EventSources.VALIDATE).id("outbox-17")
                .time(SampleEvents.AT).build();

        assertThat(event.getType()).isEqualTo(EventTypes.PROCESS_ACCEPTED);
        assertThat(event.getSource()).isEqualTo(URI.create("/snapflow/validate"));
        assertThat(event.getId()).isEqualTo("outbox-17");
        assertThat(event.getSubject()).isEqualTo(SampleEvents.PROCESS_ID);
        assertThat(event.getDataSchema())
                .isEqualTo(URI.create("https://snapflow.dev/schemas/dev.snapflow.process.accepted.v1.json"));
        assertThat(event.getDataContentType()).isEqualTo("application/json");
        assertThat(event.getTime()).isEqualTo(SampleEvents.AT.atOffset(ZoneOffset.UTC));
        assertThat(Events.partitionKey(event)).contains("acme/orders");
    }

    @Test
    void idIsARandomUuidWhenNotGiven() {
        CloudEvent first = Events.newEvent(ACCEPTED).source(EventSources.VALIDATE).build();
        CloudEvent second = Events.newEvent(ACCEPTED).source(EventSources.VALIDATE).build();

        assertThat(UUID.fromString(first.getId())).isNotEqualTo(UUID.fromString(second.getId()));
    }

    @Test
    void partitionKeyIsTheSnapshotRefsKey() {
        CloudEvent event = Events.newEvent(ACCEPTED).source(EventSources.VALIDATE).build();

        assertThat(Events.partitionKey(event)).contains(ACCEPTED.snapshotRef().partitionKey());
    }

    @Test
    void traceparentSurvivesStructuredJson() {
        CloudEvent event = Events.newEvent(ACCEPTED).source(EventSources.VALIDATE).traceparent(TRACEPARENT)
                .tracestate("vendor=abc").build();

        CloudEvent parsed = Events.fromJson(Events.toJson(event));

        assertThat(Events.traceparent(parsed)).contains(TRACEPARENT);
        assertThat(parsed.getExtension(Events.TRACESTATE)).isEqualTo("vendor=abc");
    }

    @Test
    void causedByContinuesTheTraceOfTheCausingEvent() {
        CloudEvent cause = Events.newEvent(ACCEPTED).source(EventSources.VALIDATE).traceparent(TRACEPARENT).build();

        CloudEvent next = Events.newEvent(SampleEvents.all().get(EventTypes.JOB_REQUESTED))
                .source(EventSources.ENQUEUE).causedBy(cause).build();

        assertThat(Events.traceparent(next)).contains(TRACEPARENT);
    }

    @Test
    void eventWithoutTraceparentHasNone() {
        CloudEvent event = Events.newEvent(ACCEPTED).source(EventSources.VALIDATE).traceparent(null).build();

        assertThat(Events.traceparent(event)).isEmpty();
    }

    @Test
    void malformedTraceparentIsRefused() {
        assertThatThrownBy(() -> Events.newEvent(ACCEPTED).traceparent("00-xyz"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("traceparent");
    }

    @Test
    void eventWithoutSourceIsRefused() {
        assertThatThrownBy(() -> Events.newEvent(ACCEPTED).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("source");
    }

    @Test
    void dataWithoutTenantAndEntityNeedsAnExplicitPartitionKey() {
        Object launched = SampleEvents.all().get(EventTypes.JOB_LAUNCHED);

        assertThatThrownBy(() -> Events.newEvent(launched).source(EventSources.LAUNCH).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("partitionKey");
        CloudEvent event = Events.newEvent(launched).source(EventSources.LAUNCH)
                .partitionKey(new SnapshotRef("acme", "orders", "2026-11-20")).build();
        assertThat(Events.partitionKey(event)).contains("acme/orders");
    }

    @Test
    void partitionKeyMustBeTenantSlashEntity() {
        assertThatThrownBy(() -> Events.newEvent(ACCEPTED).partitionKey("acme"))
                .hasMessageContaining("partitionKey must be tenant/entity");
        assertThatThrownBy(() -> Events.newEvent(ACCEPTED).partitionKey("acme/../x"))
                .hasMessageContaining("partitionKey entity");
    }

    @Test
    void jobStatusSubjectIsTheProcessOfTheJob() {
        JobStatusReport running = new JobStatusReport(JobId.of(SampleEvents.PROCESS_ID, 2, 1).value(), 1,
                JobState.RUNNING, 3, SampleEvents.AT, new JobStatusReport.Progress(1, 4, 10, 80), null, null, null,
                null, JobStatusReport.REPORTER_JOB);

        CloudEvent event = Events.newEvent(running).source(EventSources.LAUNCH).partitionKey("acme/orders").build();

        assertThat(event.getSubject()).isEqualTo(SampleEvents.PROCESS_ID);
        assertThat(Events.read(event, JobStatusReport.class)).isEqualTo(running);
    }

    @Test
    void classThatIsNoEventDataIsRefused() {
        assertThatThrownBy(() -> Events.newEvent("just a string"))
                .hasMessageContaining("is not the data of any Snapflow event type");
    }

    @Test
    void readingAsTheWrongTypeNamesBothTypes() {
        CloudEvent event = Events.newEvent(ACCEPTED).source(EventSources.VALIDATE).build();

        InvalidEventException e = catchThrowableOfType(InvalidEventException.class,
                () -> Events.read(event, StepCompleted.class));

        assertThat(e.violations()).extracting(Violation::field).containsExactly("type");
        assertThat(e.getMessage()).contains(EventTypes.PROCESS_ACCEPTED, EventTypes.STEP_COMPLETED, event.getId());
    }

    @Test
    void unknownEventTypeIsRejected() {
        CloudEvent event = rawEvent("dev.snapflow.process.exploded.v1", "{}");

        assertThatThrownBy(() -> Events.read(event))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("type: unknown event type 'dev.snapflow.process.exploded.v1'");
    }

    @Test
    void eventWithoutDataIsRejected() {
        CloudEvent event = CloudEventBuilder.v1().withId("e1").withSource(EventSources.VALIDATE)
                .withType(EventTypes.PROCESS_ACCEPTED).build();

        assertThatThrownBy(() -> Events.read(event, ProcessAccepted.class))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("data: is missing");
    }

    @Test
    void dataThatIsNotJsonIsRejected() {
        CloudEvent event = rawEvent(EventTypes.PROCESS_ACCEPTED, "processId=42");

        assertThatThrownBy(() -> Events.read(event, ProcessAccepted.class))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("data: is not valid JSON");
    }

    @Test
    void dataThatIsNotAnObjectIsRejected() {
        CloudEvent event = rawEvent(EventTypes.PROCESS_ACCEPTED, "[1,2]");

        assertThatThrownBy(() -> Events.read(event, ProcessAccepted.class))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("data: must be a JSON object");
    }

    @Test
    void foreignDataschemaIsRejected() {
        CloudEvent event = CloudEventBuilder.v1(Events.newEvent(ACCEPTED).source(EventSources.VALIDATE).build())
                .withDataSchema(URI.create("https://example.org/other.json")).build();

        assertThatThrownBy(() -> Events.read(event, ProcessAccepted.class))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("dataschema: must be");
    }

    @Test
    void nonJsonContentTypeIsRejected() {
        CloudEvent valid = Events.newEvent(ACCEPTED).source(EventSources.VALIDATE).build();
        CloudEvent event = CloudEventBuilder.v1(valid).withData("text/plain", valid.getData()).build();

        assertThatThrownBy(() -> Events.read(event, ProcessAccepted.class))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("datacontenttype: must be application/json");
    }

    @Test
    void fieldsUnknownToAnOpenSchemaAreIgnored() {
        String json = new String(Events.toJson(Events.newEvent(SampleEvents.all().get(EventTypes.STEP_COMPLETED))
                .source(EventSources.CALLBACK).build()), StandardCharsets.UTF_8)
                .replace("\"outcome\":", "\"addedInALaterRelease\":{\"x\":1},\"outcome\":");

        Object read = Events.read(Events.fromJson(json.getBytes(StandardCharsets.UTF_8)));

        assertThat(read).isEqualTo(SampleEvents.all().get(EventTypes.STEP_COMPLETED));
    }

    @Test
    void bytesThatAreNoCloudEventAreRejected() {
        assertThatThrownBy(() -> Events.fromJson("{\"hello\":1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("not a structured JSON CloudEvent");
    }

    @Test
    void producerCannotEmitDataThatBreaksTheRecordsRules() {
        assertThatThrownBy(() -> new ProcessAccepted(SampleEvents.PROCESS_ID, "acme", "orders", "latest", "clean",
                ACCEPTED.steps(), ACCEPTED.inputManifest(), Instant.now()))
                .hasMessageContaining("dataVersion must be a concrete data version");
        assertThatThrownBy(() -> new ProcessRequested("acme", "orders", "latest", "clean", "gold", null, null, null))
                .hasMessageContaining("exactly one of action and pipeline");
        assertThatThrownBy(() -> new ProcessRequested("acme", "orders", "latest", "clean", null, null, "ftp://x", null))
                .hasMessageContaining("webhookUrl");
    }

    private static CloudEvent rawEvent(String type, String data) {
        return CloudEventBuilder.v1().withId("e1").withSource(EventSources.VALIDATE).withType(type)
                .withData(Events.CONTENT_TYPE, data.getBytes(StandardCharsets.UTF_8)).build();
    }
}
