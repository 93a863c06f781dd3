package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.ErrorClass;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Turns whatever ended a job into a {@link JobFailure} whose class tells the control plane whether another
 * attempt can help. Spark wraps task failures, so the whole cause chain is examined.
 */
public final class ErrorClassifier {
    private ErrorClassifier() {
    }

    public static JobFailure classify(Throwable thrown) {
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = thrown; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof JobFailure failure) {
                return failure;
            }
        }
        String message = oneLine(thrown);
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return new JobFailure(ErrorClass.RESOURCE_EXHAUSTED, "out of memory: " + message, thrown);
            }
            String name = t.getClass().getName();
            String text = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (text.contains("executorlostfailure") || text.contains("lost executor")
                    || text.contains("executor heartbeat timed out")) {
                return new JobFailure(ErrorClass.TRANSIENT, "lost an executor: " + message, thrown);
            }
            if (t instanceof FileNotFoundException || text.contains("path does not exist")
                    || name.endsWith("FileNotFoundException")) {
                return new JobFailure(ErrorClass.MISSING_INPUT, "an input file the manifest lists is missing: " + message, thrown);
            }
            if (name.equals("org.apache.spark.sql.AnalysisException") || name.endsWith(".AnalysisException")) {
                return new JobFailure(ErrorClass.INVALID_PARAMS, "the params do not fit the data: " + message, thrown);
            }
            if (text.contains("malformed records are detected") || text.contains("malformed_record_in_parsing")
                    || t instanceof ArithmeticException || name.endsWith("SparkArithmeticException")
                    || name.endsWith("SparkNumberFormatException") || name.endsWith("SparkDateTimeException")) {
                return new JobFailure(ErrorClass.INVALID_DATA, "the data does not fit: " + message, thrown);
            }
            if (t instanceof SocketTimeoutException || t instanceof ConnectException
                    || t instanceof UnknownHostException || t instanceof InterruptedIOException
                    || name.startsWith("software.amazon.awssdk.core.exception.SdkClientException")
                    || name.endsWith("AWSClientIOException") || name.endsWith("AWSStatus500Exception")
                    || name.endsWith("AWSServiceThrottledException")) {
                return new JobFailure(ErrorClass.TRANSIENT, "storage or network trouble: " + message, thrown);
            }
        }
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return new JobFailure(ErrorClass.TRANSIENT, "I/O trouble: " + message, thrown);
            }
        }
        return new JobFailure(ErrorClass.INTERNAL, "unexpected " + thrown.getClass().getSimpleName() + ": " + message, thrown);
    }

    private static String oneLine(Throwable t) {
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = message.indexOf('\n');
        message = nl < 0 ? message : message.substring(0, nl);
        return message.length() > 500 ? message.substring(0, 500) + "..." : message;
    }
}
