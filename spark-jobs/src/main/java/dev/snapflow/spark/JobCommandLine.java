package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.storage.InvalidPathSegmentException;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The job's command line ({@link JobArguments}) and environment (callback token, S3 settings), checked
 * before anything else happens.
 *
 * @param arguments   the job's arguments
 * @param callbackUrl where reports go
 * @param token       the callback bearer token, from {@value JobArguments#CALLBACK_TOKEN_ENV}
 * @param s3          object storage settings
 * @param traceparent the W3C trace context to continue, from {@value JobArguments#TRACEPARENT_ENV}; null when absent
 *                    or not of the W3C form (tracing never stops a job)
 */
public record JobCommandLine(JobArguments arguments, URI callbackUrl, String token, S3Settings s3, String traceparent) {
    public static final String PROGRAM = "snapflow-job";
    private static final Pattern TRACEPARENT = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    public static boolean wantsHelp(List<String> argv) {
        return argv.contains("--help") || argv.contains("-h");
    }

    /** @throws UsageException with a one-line reason */
    public static JobCommandLine parse(List<String> argv, Map<String, String> env) {
        JobArguments arguments;
        try {
            arguments = JobArguments.parse(argv);
            arguments.jobId();
        } catch (InvalidPathSegmentException e) {
            throw new UsageException("--" + kebab(e.field()) + " " + e.getMessage().substring(e.field().length() + 1));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new UsageException(e.getMessage());
        }
        URI callback;
        try {
            callback = URI.create(arguments.callbackUrl());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--callback-url is not a URL: '" + arguments.callbackUrl() + "'");
        }
        if (callback.getScheme() == null || !(callback.getScheme().equals("http") || callback.getScheme().equals("https"))
                || callback.getHost() == null) {
            throw new UsageException("--callback-url must be an http(s) URL, was '" + arguments.callbackUrl() + "'");
        }
        String token = env.get(JobArguments.CALLBACK_TOKEN_ENV);
        if (token == null || token.isBlank()) {
            throw new UsageException(JobArguments.CALLBACK_TOKEN_ENV + " is not set (the callback token never comes from arguments)");
        }
        S3Settings s3;
        try {
            s3 = S3Settings.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        String traceparent = env.get(JobArguments.TRACEPARENT_ENV);
        if (traceparent != null && !TRACEPARENT.matcher(traceparent.trim()).matches()) {
            traceparent = null;
        }
        return new JobCommandLine(arguments, callback, token.trim(), s3, traceparent == null ? null : traceparent.trim());
    }

    public static String usage() {
        StringBuilder text = new StringBuilder();
        text.append("Usage: ").append(PROGRAM);
        for (String flag : JobArguments.flagOrder()) {
            text.append(' ').append(flag).append(" <").append(flag.substring(2)).append('>');
        }
        text.append("\n\nRuns one Snapflow step (ingest, clean, aggregate, compact) and reports to the callback.\n\nArguments:\n");
        for (String flag : JobArguments.flagOrder()) {
            text.append(String.format("  %-18s %s%n", flag, JobArguments.FLAGS.get(flag)));
        }
        text.append(String.format("  %-18s %s%n", "--help", "print this text"));
        text.append("\nEnvironment:\n");
        text.append(String.format("  %-24s %s%n", JobArguments.CALLBACK_TOKEN_ENV, "bearer token for the callback (required)"));
        text.append(String.format("  %-24s %s%n", S3Settings.ENDPOINT_ENV, "S3 endpoint URL; unset means AWS S3"));
        text.append(String.format("  %-24s %s%n", S3Settings.REGION_ENV, "region (default us-east-1)"));
        text.append(String.format("  %-24s %s%n", S3Settings.PATH_STYLE_ENV, "true/false (default: true with an endpoint)"));
        text.append(String.format("  %-24s %s%n", S3Settings.ACCESS_KEY_ENV, "static access key; unset means the default AWS credential chain"));
        text.append(String.format("  %-24s %s%n", S3Settings.SECRET_KEY_ENV, "static secret key, set with the access key"));
        text.append(String.format("  %-24s %s%n", "SNAPFLOW_JOB_LOG_MAX_BYTES", "bound of the shipped driver log (default 8388608)"));
        text.append(String.format("  %-24s %s%n", "SNAPFLOW_JOB_LOG_INTERVAL_SECONDS", "how often it is shipped while running (default 5)"));
        text.append("\nExit codes: 0 succeeded (or cached), 1 failed (a retry will not help), 75 failed (a retry may help),\n"
                + "64 wrong arguments or environment (nothing reported).\n");
        return text.toString();
    }

    private static String kebab(String field) {
        return field.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
