package dev.snapflow.contracts.events;

import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.contracts.schema.SchemaValidator;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    /** Every schema's {@code $id} starts with this; the file name under {@code schemas/} is the rest. */
    public static final String SCHEMA_BASE_URI = SchemaValidator.SCHEMA_BASE_URI;

    private static final Map<String, Class<?>> DATA_CLASSES;
    private static final Map<Class<?>, String> TYPES_BY_CLASS;

    static {
        Map<String, Class<?>> classes = new LinkedHashMap<>();
        classes.put(PROCESS_REQUESTED, ProcessRequested.class);
        classes.put(SNAPSHOT_PUBLISHED, SnapshotPublished.class);
        classes.put(PROCESS_ACCEPTED, ProcessAccepted.class);
        classes.put(JOB_REQUESTED, JobRequested.class);
        classes.put(JOB_LAUNCHED, JobLaunched.class);
        classes.put(JOB_STATUS, JobStatusReport.class);
        classes.put(STEP_COMPLETED, StepCompleted.class);
        classes.put(PROCESS_CANCELLED, ProcessCancelled.class);
        classes.put(PROCESS_SUCCEEDED, ProcessSucceeded.class);
        classes.put(PROCESS_FAILED, ProcessFailed.class);
        Map<Class<?>, String> types = new LinkedHashMap<>();
        classes.forEach((type, dataClass) -> types.put(dataClass, type));
        DATA_CLASSES = java.util.Collections.unmodifiableMap(classes);
        TYPES_BY_CLASS = java.util.Collections.unmodifiableMap(types);
    }

    private EventTypes() {
    }

    /** Every event type, in catalog order. */
    public static List<String> all() {
        return List.copyOf(DATA_CLASSES.keySet());
    }

    /** The record an event type's data binds to, if the type is one of ours. */
    public static Optional<Class<?>> dataClass(String type) {
        return Optional.ofNullable(DATA_CLASSES.get(type));
    }

    /**
     * The event type whose data is {@code dataClass}.
     *
     * @throws IllegalArgumentException when the class is not the data of any event type
     */
    public static String typeOf(Class<?> dataClass) {
        String type = TYPES_BY_CLASS.get(dataClass);
        if (type == null) {
            throw new IllegalArgumentException(dataClass.getName() + " is not the data of any Snapflow event type");
        }
        return type;
    }

    /** The {@code dataschema} of an event type: its JSON Schema's {@code $id}. */
    public static URI schemaUri(String type) {
        return URI.create(SCHEMA_BASE_URI + type + ".json");
    }
}
