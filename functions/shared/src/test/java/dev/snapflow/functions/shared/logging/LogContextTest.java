package dev.snapflow.functions.shared.logging;

import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.JobLaunched;
import dev.snapflow.contracts.storage.SnapshotRef;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.net.URI;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class LogContextTest {
    private static final String PROCESS = "0b5f5e3c-1f0e-4c47-9d2a-7b7f6f1e2a10";
    private static final String JOB = "sf-0b5f5e3c1f0e4c479d2a7b7f6f1e2a10-s2-a1";

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void anEventsIdsAreInTheMdcWhileItIsHandledAndGoneAfter() {
        CloudEvent event = CloudEventBuilder.from(Events.newEvent(new JobLaunched(JOB, "local", "pid 1", Instant.now()))
                        .source(EventSources.LAUNCH).partitionKey(new SnapshotRef("acme", "orders", "v1")).build())
                .withExtension("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").build();

        try (LogContext ids = LogContext.forEvent(event).data(new JobLaunched(JOB, "local", "pid 1", Instant.now()))) {
            assertThat(MDC.get(LogContext.TENANT)).isEqualTo("acme");
            assertThat(MDC.get(LogContext.PROCESS_ID)).isEqualTo(PROCESS);
            assertThat(MDC.get(LogContext.JOB_ID)).isEqualTo(JOB);
            assertThat(MDC.get(LogContext.TRACE_ID)).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        }
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void aNestedContextRestoresTheOuterIds() {
        try (LogContext outer = LogContext.open().tenant("acme")) {
            try (LogContext inner = LogContext.open().tenant("globex").jobId(JOB)) {
                assertThat(MDC.get(LogContext.TENANT)).isEqualTo("globex");
            }
            assertThat(MDC.get(LogContext.TENANT)).isEqualTo("acme");
            assertThat(MDC.get(LogContext.JOB_ID)).isNull();
            assertThat(MDC.get(LogContext.PROCESS_ID)).isNull();
        }
        assertThat(MDC.get(LogContext.TENANT)).isNull();
    }

    @Test
    void valuesThatAreNotIdsStayOutSoASenderCannotForgeOrBreakALogLine() {
        try (LogContext ids = LogContext.open().tenant("acme\n12:00:00 INFO forged line").processId("x y")
                .jobId("not-a-job").traceId("")) {
            assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
        }
        CloudEvent noIds = CloudEventBuilder.v1().withId("1").withSource(URI.create("/x")).withType("t").build();
        try (LogContext ids = LogContext.forEvent(noIds)) {
            assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
        }
    }

    @Test
    void theLogFormatIsTextUnlessJsonIsAskedFor() {
        assertThat(LogFormat.normalize(null)).isEqualTo("text");
        assertThat(LogFormat.normalize(" ")).isEqualTo("text");
        assertThat(LogFormat.normalize("JSON")).isEqualTo("json");
        assertThat(LogFormat.normalize("text")).isEqualTo("text");
        assertThat(LogFormat.normalize("jsno")).isNull();
    }
}
