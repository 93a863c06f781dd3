package dev.snapflow.functions.shared.logging;

import dev.snapflow.contracts.events.EntityScoped;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.JobLaunched;
import dev.snapflow.contracts.events.JobRequested;
import dev.snapflow.contracts.events.ProcessScoped;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobStatusReport;
import io.cloudevents.CloudEvent;
import org.slf4j.MDC;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The ids a log line carries wherever they are known (MDC keys {@code tenant}, {@code processId}, {@code jobId},
 * {@code traceId}), put by the entries (event dispatch, status reports, submissions) and taken away when the work
 * is done: {@link #close} restores what the thread had before, so entries may nest. Only these ids go into the
 * MDC, never a token or a key; a value that does not look like an id (it comes from a sender) is left out, so it
 * can neither break a text line nor carry anything else.
 */
public final class LogContext implements AutoCloseable {
    public static final String TENANT = "tenant";
    public static final String PROCESS_ID = "processId";
    public static final String JOB_ID = "jobId";
    public static final String TRACE_ID = "traceId";
    private static final List<String> KEYS = List.of(TENANT, PROCESS_ID, JOB_ID, TRACE_ID);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}");

    private final Map<String, String> before = new HashMap<>();

    private LogContext() {
        for (String key : KEYS) {
            before.put(key, MDC.get(key));
        }
    }

    /** A context that restores the thread's ids on close; add ids with the setters. */
    public static LogContext open() {
        return new LogContext();
    }

    /** The ids of an incoming event's attributes: tenant (partition key), process (subject), trace (traceparent). */
    public static LogContext forEvent(CloudEvent event) {
        LogContext context = open();
        Events.partitionKey(event).ifPresent(key -> context.tenant(key.substring(0, Math.max(0, key.indexOf('/')))));
        context.processId(event.getSubject());
        Events.traceparent(event).ifPresent(traceparent -> {
            String[] parts = traceparent.split("-");
            if (parts.length == 4) {
                context.traceId(parts[1]);
            }
        });
        return context;
    }

    /** Adds the ids an event's data names (its tenant, process and job). */
    public LogContext data(Object data) {
        if (data instanceof EntityScoped scoped) {
            tenant(scoped.tenant());
        }
        if (data instanceof ProcessScoped scoped) {
            processId(scoped.processId());
        }
        switch (data) {
            case JobRequested requested -> jobId(requested.jobId());
            case JobLaunched launched -> jobId(launched.jobId());
            case JobStatusReport report -> jobId(report.jobId());
            case null, default -> {
            }
        }
        return this;
    }

    public LogContext tenant(String tenant) {
        return put(TENANT, tenant);
    }

    public LogContext processId(Object processId) {
        return put(PROCESS_ID, processId == null ? null : processId.toString());
    }

    /** The job and, as its id names it, its process. */
    public LogContext jobId(String jobId) {
        if (jobId != null) {
            try {
                processId(new JobId(jobId).processId());
            } catch (IllegalArgumentException notAJobId) {
                return this;
            }
        }
        return put(JOB_ID, jobId);
    }

    public LogContext traceId(String traceId) {
        return put(TRACE_ID, traceId);
    }

    private LogContext put(String key, String value) {
        if (value != null && ID.matcher(value).matches()) {
            MDC.put(key, value);
        }
        return this;
    }

    @Override
    public void close() {
        before.forEach((key, value) -> {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        });
    }
}
