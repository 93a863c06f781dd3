package dev.snapflow.functions.shared.failures;

import java.io.InterruptedIOException;
import java.lang.reflect.Method;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * The one place that decides whether a failure is transient, permanent or unknown. Used by both entry points
 * (Kafka: retry with backoff or dead letter; HTTP: 503 or 400) and by the outbox relay (retry or set aside).
 *
 * <p>Walks the cause chain, outermost first, and takes the first rule that matches:
 * <ul>
 *   <li>SQLState 08xxx (connection), 57P0x (server shutting down), 53xxx (insufficient resources), 40001 and
 *       40P01 (serialization failure, deadlock) are transient; 22xxx (data exception, incl. 22021 NUL byte) and
 *       23xxx (integrity constraint) are permanent: the database will refuse the same data again.</li>
 *   <li>Connection refused, timeouts, unknown hosts and Kafka's retriable exceptions are transient.</li>
 *   <li>HTTP-style status codes (AWS SDK service exceptions, read by name so this class needs no SDK): 408,
 *       429, 5xx and throttling are transient; 400, 403, 404 and other 4xx are permanent.</li>
 *   <li>Kafka's RecordTooLargeException, InvalidRecordException and serialization errors, and unparseable
 *       documents (Jackson's processing exceptions), invalid arguments and date-time errors are permanent.</li>
 *   <li>{@link PermanentFailureException} and {@link TransientFailureException} say so themselves.</li>
 * </ul>
 * Anything else is unknown. Pure: no framework, no I/O.
 */
public final class FailureClassifier {
    private static final Set<String> TRANSIENT_SQL_STATES = Set.of("40001", "40P01");
    private static final Set<String> PERMANENT_KAFKA = Set.of(
            "org.apache.kafka.common.errors.RecordTooLargeException",
            "org.apache.kafka.common.errors.RecordBatchTooLargeException",
            "org.apache.kafka.common.InvalidRecordException",
            "org.apache.kafka.common.errors.InvalidRecordException",
            "org.apache.kafka.common.errors.SerializationException",
            "org.apache.kafka.common.errors.InvalidTopicException");

    private FailureClassifier() {
    }

    public static Failure classify(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            FailureKind kind = kindOf(t);
            if (kind != null) {
                return new Failure(kind, kind.name().toLowerCase() + ": " + describe(failure, t));
            }
        }
        return new Failure(FailureKind.UNKNOWN, "unknown: " + describe(failure, failure));
    }

    private static FailureKind kindOf(Throwable t) {
        if (t instanceof PermanentFailureException) {
            return FailureKind.PERMANENT;
        }
        if (t instanceof TransientFailureException) {
            return FailureKind.TRANSIENT;
        }
        if (t instanceof SQLException sql && sql.getSQLState() != null) {
            FailureKind kind = sqlStateKind(sql.getSQLState());
            if (kind != null) {
                return kind;
            }
        }
        if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof UnknownHostException
                || t instanceof SocketTimeoutException || t instanceof InterruptedIOException
                || t instanceof TimeoutException) {
            return FailureKind.TRANSIENT;
        }
        if (hasType(t, PERMANENT_KAFKA)) {
            return FailureKind.PERMANENT;
        }
        if (hasType(t, Set.of("org.apache.kafka.common.errors.RetriableException"))) {
            return FailureKind.TRANSIENT;
        }
        Integer status = httpStatus(t);
        if (status != null) {
            return httpStatusKind(status);
        }
        if (hasType(t, Set.of("software.amazon.awssdk.core.exception.SdkClientException"))) {
            // the request never got an answer: network, DNS, connection pool
            return FailureKind.TRANSIENT;
        }
        if (hasType(t, Set.of("com.fasterxml.jackson.core.JacksonException", "tools.jackson.core.JacksonException"))
                || t instanceof IllegalArgumentException || t instanceof DateTimeException) {
            return FailureKind.PERMANENT;
        }
        return null;
    }

    /** Transient, permanent, or null when the state says nothing either way. */
    static FailureKind sqlStateKind(String state) {
        if (state.startsWith("08") || state.startsWith("57P0") || state.startsWith("53")
                || TRANSIENT_SQL_STATES.contains(state)) {
            return FailureKind.TRANSIENT;
        }
        if (state.startsWith("22") || state.startsWith("23")) {
            return FailureKind.PERMANENT;
        }
        return null;
    }

    static FailureKind httpStatusKind(int status) {
        if (status == 408 || status == 429 || status >= 500) {
            return FailureKind.TRANSIENT;
        }
        return status >= 400 ? FailureKind.PERMANENT : null;
    }

    /**
     * The status of an AWS SDK service exception ({@code SdkServiceException.statusCode()}; throttling counts
     * as 429), read reflectively so this class does not depend on the SDK; or a {@link HttpStatusFailure}'s.
     */
    private static Integer httpStatus(Throwable t) {
        if (t instanceof HttpStatusFailure failure) {
            return failure.statusCode() > 0 ? failure.statusCode() : null;
        }
        if (!hasType(t, Set.of("software.amazon.awssdk.core.exception.SdkServiceException"))) {
            return null;
        }
        try {
            Method throttling = t.getClass().getMethod("isThrottlingException");
            if (Boolean.TRUE.equals(throttling.invoke(t))) {
                return 429;
            }
            Object status = t.getClass().getMethod("statusCode").invoke(t);
            return status instanceof Integer code && code > 0 ? code : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static boolean hasType(Throwable t, Set<String> classNames) {
        for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
            if (classNames.contains(c.getName())) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable outer, Throwable matched) {
        String text = matched.getClass().getSimpleName() + (matched.getMessage() == null ? "" : ": " + matched.getMessage());
        if (matched != outer) {
            text = outer.getClass().getSimpleName() + " caused by " + text;
        }
        return text.length() > 1000 ? text.substring(0, 1000) + "…" : text;
    }

    /** A failure that carries an HTTP status (e.g. an event sink's answer). */
    public interface HttpStatusFailure {
        int statusCode();
    }
}
