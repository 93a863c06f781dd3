package dev.snapflow.functions.launch.events;

import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.JobLaunched;
import dev.snapflow.contracts.events.JobRequested;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.functions.launch.backend.JobRef;
import dev.snapflow.functions.launch.backend.JobStatusSink;
import dev.snapflow.functions.launch.backend.LaunchOutcome;
import dev.snapflow.functions.launch.backend.ObservedFailure;
import dev.snapflow.functions.launch.job.JobLauncher;
import dev.snapflow.functions.shared.events.TypedEventHandler;
import dev.snapflow.functions.shared.events.EventPublisher;
import dev.snapflow.functions.shared.events.HandlingOutcome;
import dev.snapflow.functions.shared.metrics.Latencies;
import dev.snapflow.functions.shared.metrics.Outcome;
import dev.snapflow.functions.shared.tracing.EventTracing;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * job.requested: start the job and say so (job.launched), or say why it cannot start (job.status FAILED,
 * LAUNCH_FAILED). A redelivered request finds the job already there and says job.launched again, with the
 * same event id. A request re-driven by callback's reconciler (extension snapflowredrive) is answered with the
 * job's truth: job.launched while it runs, job.status FAILED TRANSIENT ("lost") once it ended or is gone, and
 * with snapflowstarted it is only looked up, never started again. A full backend answers "later" (back-pressure):
 * the request is delivered again; so does a job claimed by a launch that is starting it right now (see LaunchOutcome.StartPending). A request of a process
 * cancelled before it arrived starts nothing (LaunchOutcome.Cancelled).
 * Created at startup so that a missing key or a bad backend setting stops the function at once.
 */
@Context
public class JobRequestedHandler extends TypedEventHandler<JobRequested> {
    private static final Logger LOG = LoggerFactory.getLogger(JobRequestedHandler.class);
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("snapflow.launch.outcome");

    private final JobLauncher launcher;
    private final EventPublisher publisher;
    private final JobStatusSink statusSink;
    private final MeterRegistry meters;
    private final Clock clock;
    private final EventTracing tracing;

    public JobRequestedHandler(JobLauncher launcher, EventPublisher publisher, JobStatusSink statusSink,
                               MeterRegistry meters, Clock clock, EventTracing tracing) {
        super(JobRequested.class);
        this.launcher = launcher;
        this.publisher = publisher;
        this.statusSink = statusSink;
        this.meters = meters;
        this.clock = clock;
        this.tracing = tracing;
    }

    @Override
    protected HandlingOutcome handle(JobRequested request, CloudEvent event) {
        String redrive = extension(event, Events.REDRIVE);
        boolean startedBefore = "true".equals(extension(event, Events.STARTED_BEFORE));
        // The backend's launch as a span of its own; the job continues the trace from it (TRACEPARENT).
        Span span = tracing.tracer().spanBuilder("launch " + request.arguments().action())
                .setAttribute(EventTracing.TENANT, request.tenant())
                .setAttribute(EventTracing.PROCESS_ID, request.processId())
                .setAttribute(EventTracing.JOB_ID, request.jobId())
                .startSpan();
        long started = System.nanoTime();
        LaunchOutcome outcome;
        try (Scope ignored = span.makeCurrent()) {
            outcome = launcher.launch(request, startedBefore, EventTracing.currentTraceparent());
            span.setAttribute(OUTCOME, label(outcome).label());
            if (outcome instanceof LaunchOutcome.Rejected rejected) {
                span.setStatus(StatusCode.ERROR, rejected.reason());
            }
        } catch (RuntimeException e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            span.end();
        }
        String label = label(outcome).label();
        meters.timer(Latencies.LAUNCH_CALL, "outcome", label).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        meters.counter("snapflow.launch.outcomes", "outcome", label).increment();
        return switch (outcome) {
            case LaunchOutcome.Launched launched -> {
                LOG.info("launched {} at {}", request.jobId(), launched.ref().location());
                yield announce(event, request, launched.ref(), redrive);
            }
            case LaunchOutcome.AlreadyRunning running -> {
                LOG.info("{} was launched before ({}): nothing started", request.jobId(), running.ref().location());
                yield announce(event, request, running.ref(), redrive);
            }
            case LaunchOutcome.Ended ended when redrive == null -> {
                // A plain redelivery (at least once): what the job said about its end is with callback already.
                LOG.info("{} was launched before and {}: nothing started", request.jobId(), ended.what());
                yield announce(event, request, ended.ref(), null);
            }
            case LaunchOutcome.Ended ended -> {
                // Re-driven by callback's reconciler: callback did not learn its end, and will not from the job.
                LOG.info("{} asked for again (re-drive {}), but it {}: reported lost", request.jobId(), redrive,
                        ended.what());
                statusSink.report(new ObservedFailure(request.id(), request.tenant(), request.entity(),
                        ErrorClass.TRANSIENT, "the job was lost: it " + ended.what()
                        + ", and its end never reached callback"));
                yield HandlingOutcome.done();
            }
            case LaunchOutcome.StartPending pending -> {
                LOG.info("{} is claimed but not started yet: asking again later ({})", request.jobId(), pending.reason());
                yield HandlingOutcome.retry(pending.reason());
            }
            case LaunchOutcome.Cancelled cancelled -> {
                LOG.info("{} not started: {}", request.jobId(), cancelled.reason());
                yield HandlingOutcome.done();
            }
            case LaunchOutcome.AtCapacity full -> HandlingOutcome.backPressure(full.reason());
            case LaunchOutcome.Rejected rejected -> {
                LOG.warn("cannot launch {}: {}", request.jobId(), rejected.reason());
                statusSink.report(new ObservedFailure(request.id(), request.tenant(), request.entity(),
                        ErrorClass.LAUNCH_FAILED, "launch could not start the job: " + rejected.reason()));
                yield HandlingOutcome.done();
            }
        };
    }

    private static Outcome label(LaunchOutcome outcome) {
        return switch (outcome) {
            case LaunchOutcome.Launched l -> Outcome.LAUNCHED;
            case LaunchOutcome.AlreadyRunning r -> Outcome.ALREADY_RUNNING;
            case LaunchOutcome.StartPending p -> Outcome.START_PENDING;
            case LaunchOutcome.Cancelled c -> Outcome.CANCELLED;
            case LaunchOutcome.AtCapacity c -> Outcome.AT_CAPACITY;
            case LaunchOutcome.Ended e -> Outcome.ENDED;
            case LaunchOutcome.Rejected r -> Outcome.REJECTED;
        };
    }

    /** @param redrive the re-drive this answers, or null: each answer to a re-drive is an event of its own */
    private HandlingOutcome announce(CloudEvent cause, JobRequested request, JobRef ref, String redrive) {
        publisher.publish(Events.newEvent(new JobLaunched(request.jobId(), ref.backend(), ref.location(), clock.instant()))
                .source(EventSources.LAUNCH)
                .id(request.jobId() + "/launched" + (redrive == null ? "" : "/redrive-" + redrive))
                .partitionKey(request.snapshotRef())
                .causedBy(cause)
                .traceparent(EventTracing.currentTraceparent())
                .build());
        return HandlingOutcome.done();
    }

    private static String extension(CloudEvent event, String name) {
        Object value = event.getExtension(name);
        return value == null ? null : value.toString();
    }
}
