package dev.snapflow.contracts.jobs;

import dev.snapflow.contracts.storage.PathSegment;
import dev.snapflow.contracts.storage.S3Uri;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The command line of a job: the same fields the job message carries, as {@code --name value} pairs.
 * enqueue builds it, launch passes it to the container (or child JVM) unchanged, and the job parses it.
 * The callback token is deliberately absent: it comes from the {@value #CALLBACK_TOKEN_ENV} environment
 * variable so that it never shows in a process list or a pod spec.
 *
 * @param tenant         tenant id
 * @param entity         entity name
 * @param dataVersion    concrete data version (never {@code latest})
 * @param action         action name from the catalog
 * @param paramsJson     the action's params as JSON
 * @param inputManifest  the committed manifest to read, {@code s3://bucket/key}
 * @param outputPrefix   where to commit the output, {@code s3://bucket/prefix/} (ends with '/')
 * @param processId      process UUID
 * @param step           step index, from 1
 * @param attempt        attempt number, from 1
 * @param callbackUrl    where to POST status reports ({@code .../v1/jobs/{jobId}/status})
 */
public record JobArguments(
        String tenant,
        String entity,
        String dataVersion,
        String action,
        String paramsJson,
        String inputManifest,
        String outputPrefix,
        String processId,
        int step,
        int attempt,
        String callbackUrl) {

    public static final String CALLBACK_TOKEN_ENV = "SNAPFLOW_CALLBACK_TOKEN";

    /**
     * The W3C trace context the job continues, in its environment (OpenTelemetry's environment-variable carrier,
     * {@code TRACEPARENT}); optional. The job sends it as the {@code traceparent} header of its status reports, so
     * callback's spans join the process's trace.
     */
    public static final String TRACEPARENT_ENV = "TRACEPARENT";

    /** Flag names in the order they are written, with a one-line description each (the job's --help). */
    public static final Map<String, String> FLAGS;

    static {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("--tenant", "tenant id (a path segment)");
        flags.put("--entity", "entity name (a path segment)");
        flags.put("--data-version", "concrete data version (a path segment)");
        flags.put("--action", "action to run, e.g. ingest, clean, aggregate, compact");
        flags.put("--params", "the action's params as a JSON object");
        flags.put("--input-manifest", "committed input manifest, s3://bucket/key");
        flags.put("--output-prefix", "where the output is committed, s3://bucket/prefix/");
        flags.put("--process-id", "process UUID");
        flags.put("--step", "step index, from 1");
        flags.put("--attempt", "attempt number, from 1");
        flags.put("--callback-url", "status endpoint of the callback function");
        FLAGS = Map.copyOf(flags);
        ORDER = List.copyOf(flags.keySet());
    }

    private static final List<String> ORDER;

    public JobArguments {
        PathSegment.requireSafe("tenant", tenant);
        PathSegment.requireSafe("entity", entity);
        PathSegment.requireSafe("dataVersion", dataVersion);
        PathSegment.requireSafe("action", action);
        Objects.requireNonNull(paramsJson, "paramsJson");
        requireS3Uri("inputManifest", inputManifest);
        requireS3Uri("outputPrefix", outputPrefix);
        if (!outputPrefix.endsWith("/")) {
            throw new IllegalArgumentException("outputPrefix must end with '/': " + outputPrefix);
        }
        Objects.requireNonNull(processId, "processId");
        if (step < 1 || attempt < 1) {
            throw new IllegalArgumentException("step and attempt start at 1");
        }
        Objects.requireNonNull(callbackUrl, "callbackUrl");
    }

    public JobId jobId() {
        return JobId.of(processId, step, attempt);
    }

    /** Flag names in their canonical order. */
    public static List<String> flagOrder() {
        return ORDER;
    }

    public List<String> toArgs() {
        List<String> args = new ArrayList<>();
        add(args, "--tenant", tenant);
        add(args, "--entity", entity);
        add(args, "--data-version", dataVersion);
        add(args, "--action", action);
        add(args, "--params", paramsJson);
        add(args, "--input-manifest", inputManifest);
        add(args, "--output-prefix", outputPrefix);
        add(args, "--process-id", processId);
        add(args, "--step", Integer.toString(step));
        add(args, "--attempt", Integer.toString(attempt));
        add(args, "--callback-url", callbackUrl);
        return List.copyOf(args);
    }

    /**
     * Parses a command line written by {@link #toArgs()}.
     *
     * @throws IllegalArgumentException with a one-line reason for an unknown, repeated or missing flag
     */
    public static JobArguments parse(List<String> args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            if (!FLAGS.containsKey(flag)) {
                throw new IllegalArgumentException("unknown argument '" + flag + "'; known: " + String.join(" ", ORDER));
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            if (values.put(flag, args.get(++i)) != null) {
                throw new IllegalArgumentException(flag + " given twice");
            }
        }
        for (String flag : ORDER) {
            if (!values.containsKey(flag)) {
                throw new IllegalArgumentException("missing argument " + flag + " (" + FLAGS.get(flag) + ")");
            }
        }
        return new JobArguments(values.get("--tenant"), values.get("--entity"), values.get("--data-version"),
                values.get("--action"), values.get("--params"), values.get("--input-manifest"),
                values.get("--output-prefix"), values.get("--process-id"), parsePositive(values, "--step"),
                parsePositive(values, "--attempt"), values.get("--callback-url"));
    }

    private static int parsePositive(Map<String, String> values, String flag) {
        try {
            int n = Integer.parseInt(values.get(flag));
            if (n < 1) {
                throw new IllegalArgumentException(flag + " must be 1 or more, was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a whole number, was '" + values.get(flag) + "'");
        }
    }

    private static void requireS3Uri(String field, String value) {
        S3Uri.parse(field, value);
    }

    private static void add(List<String> args, String flag, String value) {
        args.add(flag);
        args.add(value);
    }
}
