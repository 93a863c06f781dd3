package dev.snapflow.contracts.events;

/**
 * The CloudEvent {@code type} of every event Snapflow produces or consumes. A type is a public contract:
 * a breaking change of its data makes a new type with the next version suffix.
 * The event catalog ({@code cloudevents-schemas/README.md}) says who produces and consumes each.
 */
public final class EventTypes {
    public static final String PROCESS_REQUESTED = "dev.snapflow.process.requested.v1";
    public static final String SNAPSHOT_PUBLISHED = "dev.snapflow.snapshot.published.v1";
    public static final String PROCESS_ACCEPTED = "dev.snapflow.process.accepted.v1";
    public static final String JOB_REQUESTED = "dev.snapflow.job.requested.v1";
    public static final String JOB_LAUNCHED = "dev.snapflow.job.launched.v1";
    public static final String JOB_STATUS = "dev.snapflow.job.status.v1";
    public static final String STEP_COMPLETED = "dev.snapflow.step.completed.v1";
    public static final String PROCESS_CANCELLED = "dev.snapflow.process.cancelled.v1";
    public static final String PROCESS_SUCCEEDED = "dev.snapflow.process.succeeded.v1";
    public static final String PROCESS_FAILED = "dev.snapflow.process.failed.v1";

    private EventTypes() {
    }
}
