package dev.snapflow.functions.launch.events;

import dev.snapflow.functions.shared.tracing.EventTracing;
import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.functions.launch.backend.JobStatusSink;
import dev.snapflow.functions.launch.backend.ObservedFailure;
import dev.snapflow.functions.shared.events.EventPublisher;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Sends the failures the backends observe as job.status events, the way jobs' own reports reach callback. */
@Singleton
public class PublishingJobStatusSink implements JobStatusSink {
    private final EventPublisher publisher;
    private final Clock clock;

    public PublishingJobStatusSink(EventPublisher publisher, Clock clock) {
        this.publisher = publisher;
        this.clock = clock;
    }

    @Override
    public void report(ObservedFailure failure) {
        publisher.publish(Events.newEvent(failure.toReport(clock.instant()))
                .source(EventSources.LAUNCH)
                // One platform verdict per attempt: a repeat of it is recognisably the same event.
                .id(failure.jobId().value() + "/platform-failure")
                .partitionKey(failure.partitionKey())
                .traceparent(EventTracing.currentTraceparent())
                .build());
    }
}
