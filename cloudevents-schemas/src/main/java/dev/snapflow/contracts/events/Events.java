package dev.snapflow.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.contracts.schema.SchemaValidator;
import dev.snapflow.contracts.schema.Violation;
import dev.snapflow.contracts.storage.InvalidPathSegmentException;
import dev.snapflow.contracts.storage.PathSegment;
import dev.snapflow.contracts.storage.SnapshotRef;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.extensions.DistributedTracingExtension;
import io.cloudevents.core.format.EventDeserializationException;
import io.cloudevents.jackson.JsonCloudEventData;
import io.cloudevents.jackson.JsonFormat;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The one way Snapflow builds and reads its CloudEvents. Every event carries: {@code type} from
 * {@link EventTypes}, {@code source} naming the producer ({@link EventSources}), {@code subject} = the process id
 * (when there is one), {@code dataschema} = the type's JSON Schema URI, {@code datacontenttype}
 * application/json, {@code time}, {@code id}, the {@value #PARTITION_KEY} extension ({@code tenant/entity},
 * the Kafka key) and, when given, the W3C {@code traceparent}/{@code tracestate} extensions.
 *
 * <pre>{@code
 * CloudEvent event = Events.newEvent(accepted).source(EventSources.VALIDATE).id(outboxRowId).build();
 * ProcessAccepted data = Events.read(event, ProcessAccepted.class);   // InvalidEventException when malformed
 * }</pre>
 */
public final class Events {
    public static final String CONTENT_TYPE = "application/json";
    /** The CloudEvents partitioning extension: the Kafka record key. */
    public static final String PARTITION_KEY = "partitionkey";
    /**
     * On a job.requested or process.accepted the reconciler re-sent: which re-drive it is (1, 2, ...). The event id
     * is the original's with {@code /redrive-<n>} appended.
     */
    public static final String REDRIVE = "snapflowredrive";
    /**
     * On a re-sent job.requested: {@code true} when the attempt was seen running (job.launched or a report), so launch
     * must not start a job it no longer finds (it ran, and is gone) but say it is lost.
     */
    public static final String STARTED_BEFORE = "snapflowstarted";
    public static final String TRACEPARENT = DistributedTracingExtension.TRACEPARENT;
    public static final String TRACESTATE = DistributedTracingExtension.TRACESTATE;

    private static final Pattern TRACEPARENT_FORMAT = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            // Tolerant reader: a newer producer may add optional fields within the same version.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();
    private static final JsonFormat STRUCTURED = new JsonFormat();
    private static final SchemaValidator SCHEMAS = new SchemaValidator();

    private Events() {
    }

    /** Starts an event carrying {@code data}; its type follows from the data's class. */
    public static Draft newEvent(Object data) {
        return new Draft(data);
    }

    /**
     * Reads an event's data as {@code dataClass}, checking that the event is of that class's type.
     *
     * @throws InvalidEventException naming the event and each problem (wrong type, missing data, bad field)
     */
    public static <T> T read(CloudEvent event, Class<T> dataClass) {
        Objects.requireNonNull(event, "event");
        String expected = EventTypes.typeOf(dataClass);
        if (!expected.equals(event.getType())) {
            throw invalid(event, new Violation("type", "is " + event.getType() + ", expected " + expected), null);
        }
        return dataClass.cast(readData(event, dataClass));
    }

    /**
     * Reads an event's data as the record of its type (one of those in {@link EventTypes}).
     *
     * @throws InvalidEventException for an unknown type or malformed data
     */
    public static Object read(CloudEvent event) {
        Objects.requireNonNull(event, "event");
        Class<?> dataClass = EventTypes.dataClass(event.getType())
                .orElseThrow(() -> invalid(event, new Violation("type", "unknown event type '" + event.getType() + "'"), null));
        return readData(event, dataClass);
    }

    /** The {@value #PARTITION_KEY} extension, which producers use as the Kafka record key. */
    public static Optional<String> partitionKey(CloudEvent event) {
        return stringExtension(event, PARTITION_KEY);
    }

    public static Optional<String> traceparent(CloudEvent event) {
        return stringExtension(event, TRACEPARENT);
    }

    /** The event in structured JSON mode ({@code application/cloudevents+json}), data inline as JSON. */
    public static byte[] toJson(CloudEvent event) {
        return STRUCTURED.serialize(event);
    }

    /**
     * Parses an event in structured JSON mode.
     *
     * @throws InvalidEventException when the bytes are not a CloudEvent
     */
    public static CloudEvent fromJson(byte[] json) {
        try {
            return STRUCTURED.deserialize(json);
        } catch (EventDeserializationException | IllegalArgumentException | IllegalStateException e) {
            throw new InvalidEventException(null, null,
                    List.of(new Violation("", "not a structured JSON CloudEvent: " + firstLine(e))), e);
        }
    }

    /** The data's JSON, as it goes into an event. */
    public static JsonNode toJsonNode(Object data) {
        return MAPPER.valueToTree(data);
    }

    private static Object readData(CloudEvent event, Class<?> dataClass) {
        List<Violation> problems = new ArrayList<>();
        String contentType = event.getDataContentType();
        if (contentType != null && !contentType.equals(CONTENT_TYPE) && !contentType.startsWith(CONTENT_TYPE + ";")) {
            problems.add(new Violation("datacontenttype", "must be " + CONTENT_TYPE + ", was " + contentType));
        }
        URI expectedSchema = EventTypes.schemaUri(event.getType());
        if (event.getDataSchema() != null && !expectedSchema.equals(event.getDataSchema())) {
            problems.add(new Violation("dataschema", "must be " + expectedSchema + ", was " + event.getDataSchema()));
        }
        if (event.getData() == null) {
            problems.add(new Violation("data", "is missing"));
        }
        if (!problems.isEmpty()) {
            throw invalid(event, problems, null);
        }
        JsonNode json = dataNode(event);
        List<Violation> violations = SCHEMAS.validate(expectedSchema, json);
        if (!violations.isEmpty()) {
            throw new InvalidEventException(event.getId(), event.getType(), violations, null);
        }
        try {
            return MAPPER.treeToValue(json, dataClass);
        } catch (JsonProcessingException e) {
            throw invalid(event, bindingProblem(e, json, dataClass), e);
        } catch (IllegalArgumentException e) {
            throw invalid(event, ruleViolation(e, json, dataClass), e);
        }
    }

    private static JsonNode dataNode(CloudEvent event) {
        CloudEventData data = event.getData();
        JsonNode node;
        if (data instanceof JsonCloudEventData) {
            node = ((JsonCloudEventData) data).getNode();
        } else {
            try {
                node = MAPPER.readTree(data.toBytes());
            } catch (IOException e) {
                throw invalid(event, new Violation("data", "is not valid JSON: " + firstLine(e)), e);
            }
        }
        if (node == null || !node.isObject()) {
            throw invalid(event, new Violation("data", "must be a JSON object"), null);
        }
        return node;
    }

    /**
     * Data that passed the schema but not its record's own rules (which the schema cannot express, such as a
     * job id that must match the process, step and attempt), or, rarely, that Jackson could not bind.
     */
    private static Violation bindingProblem(JsonProcessingException e, JsonNode json, Class<?> dataClass) {
        if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException) {
            return ruleViolation((IllegalArgumentException) e.getCause(), json, dataClass);
        }
        String path = e instanceof JsonMappingException ? jsonPath((JsonMappingException) e) : "";
        return new Violation(path, firstLine(e.getOriginalMessage()));
    }

    /**
     * The records' messages start with the field they concern ("jobId must be ..."); the first word is taken
     * as the field when the data or the record has a field of that name.
     */
    private static Violation ruleViolation(IllegalArgumentException e, JsonNode json, Class<?> dataClass) {
        if (e instanceof InvalidPathSegmentException) {
            InvalidPathSegmentException segment = (InvalidPathSegmentException) e;
            return new Violation(segment.field(), firstLine(segment).substring(segment.field().length()).trim());
        }
        String message = firstLine(e);
        int space = message.indexOf(' ');
        String word = space < 0 ? "" : message.substring(0, space);
        String firstWord = word.endsWith(":") ? word.substring(0, word.length() - 1) : word;
        boolean isField = !firstWord.isEmpty() && (!json.at("/" + firstWord.replace('.', '/')).isMissingNode()
                || dataClass.isRecord() && Arrays.stream(dataClass.getRecordComponents())
                .anyMatch(component -> component.getName().equals(firstWord)));
        return isField ? new Violation(firstWord, message.substring(space + 1)) : new Violation("", message);
    }

    private static String jsonPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static Optional<String> stringExtension(CloudEvent event, String name) {
        Object value = event.getExtension(name);
        return value == null ? Optional.empty() : Optional.of(value.toString());
    }

    private static InvalidEventException invalid(CloudEvent event, Violation problem, Throwable cause) {
        return invalid(event, List.of(problem), cause);
    }

    private static InvalidEventException invalid(CloudEvent event, List<Violation> problems, Throwable cause) {
        return new InvalidEventException(event.getId(), event.getType(), problems, cause);
    }

    private static String firstLine(Throwable e) {
        return firstLine(e.getMessage());
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** An event being built; {@link #build()} checks that it is complete. */
    public static final class Draft {
        private final Object data;
        private final String type;
        private URI source;
        private String id;
        private String subject;
        private OffsetDateTime time;
        private String partitionKey;
        private String traceparent;
        private String tracestate;

        private Draft(Object data) {
            this.data = Objects.requireNonNull(data, "data");
            this.type = EventTypes.typeOf(data.getClass());
            if (data instanceof ProcessScoped) {
                subject = ((ProcessScoped) data).processId();
            } else if (data instanceof JobStatusReport) {
                subject = new JobId(((JobStatusReport) data).jobId()).processId();
            }
            if (data instanceof EntityScoped) {
                partitionKey = ((EntityScoped) data).partitionKey();
            }
        }

        /** The producing function, one of {@link EventSources}. Required. */
        public Draft source(URI source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * The event id. Give a stable one (e.g. the outbox row id) wherever a redelivery must be recognised as
         * the same event; a random UUID otherwise.
         */
        public Draft id(String id) {
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("id must not be blank");
            }
            this.id = id;
            return this;
        }

        /** Overrides the subject, which is the process id by default. */
        public Draft subject(String subject) {
            this.subject = subject;
            return this;
        }

        /** When the occurrence happened; now by default. */
        public Draft time(Instant time) {
            this.time = Objects.requireNonNull(time, "time").atOffset(ZoneOffset.UTC);
            return this;
        }

        /** Required for data that names no tenant and entity (job.launched, job.status). */
        public Draft partitionKey(SnapshotRef ref) {
            return partitionKey(ref.partitionKey());
        }

        /** {@code tenant/entity}. */
        public Draft partitionKey(String tenantSlashEntity) {
            int slash = tenantSlashEntity == null ? -1 : tenantSlashEntity.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("partitionKey must be tenant/entity, was '" + tenantSlashEntity + "'");
            }
            PathSegment.requireSafe("partitionKey tenant", tenantSlashEntity.substring(0, slash));
            PathSegment.requireSafe("partitionKey entity", tenantSlashEntity.substring(slash + 1));
            this.partitionKey = tenantSlashEntity;
            return this;
        }

        /**
         * Continues a W3C trace: {@code traceparent} as received (e.g. from an HTTP header). Null is ignored.
         *
         * @throws IllegalArgumentException when it is not of the W3C form {@code 00-<32 hex>-<16 hex>-<2 hex>}
         */
        public Draft traceparent(String traceparent) {
            if (traceparent != null) {
                if (!TRACEPARENT_FORMAT.matcher(traceparent).matches()) {
                    throw new IllegalArgumentException("traceparent is not a W3C trace context: '" + traceparent + "'");
                }
                this.traceparent = traceparent;
            }
            return this;
        }

        /** W3C {@code tracestate}, kept only together with a traceparent. Null is ignored. */
        public Draft tracestate(String tracestate) {
            if (tracestate != null) {
                this.tracestate = tracestate;
            }
            return this;
        }

        /** Continues the trace of the event that caused this one (its traceparent/tracestate, if any). */
        public Draft causedBy(CloudEvent cause) {
            stringExtension(cause, TRACEPARENT).ifPresent(this::traceparent);
            stringExtension(cause, TRACESTATE).ifPresent(this::tracestate);
            return this;
        }

        /**
         * @throws IllegalStateException when source or (for data without tenant and entity) the partition key
         *                               is missing
         */
        public CloudEvent build() {
            if (source == null) {
                throw new IllegalStateException("source is required: the producing function, see EventSources");
            }
            if (partitionKey == null) {
                throw new IllegalStateException("partitionKey is required for " + type
                        + ": its data does not name tenant and entity");
            }
            byte[] json;
            try {
                JsonNode tree = MAPPER.valueToTree(data);
                // A record that passes its constructor but not its schema is a bug in this module; never emit it.
                List<Violation> violations = SCHEMAS.validate(EventTypes.schemaUri(type), tree);
                if (!violations.isEmpty()) {
                    throw new IllegalStateException(type + " data breaks its schema: " + violations);
                }
                json = MAPPER.writeValueAsBytes(tree);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write " + type + " data", e);
            }
            CloudEventBuilder builder = CloudEventBuilder.v1()
                    .withId(id != null ? id : UUID.randomUUID().toString())
                    .withSource(source)
                    .withType(type)
                    .withTime(time != null ? time : OffsetDateTime.now(ZoneOffset.UTC))
                    .withData(CONTENT_TYPE, EventTypes.schemaUri(type), json)
                    .withExtension(PARTITION_KEY, partitionKey);
            if (subject != null) {
                builder.withSubject(subject);
            }
            if (traceparent != null) {
                builder.withExtension(TRACEPARENT, traceparent);
                if (tracestate != null) {
                    builder.withExtension(TRACESTATE, tracestate);
                }
            }
            return builder.build();
        }
    }
}
