package dev.snapflow.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobExitCodes;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * POSTs {@link JobStatusReport}s as JSON to the callback URL with {@code Authorization: Bearer <token>} and, when
 * launch gave the job a trace context, {@code traceparent}: callback's span of each report joins the process's trace.
 * One sender thread keeps reports in sequence order. Terminal reports are retried with exponential backoff
 * on network errors, 5xx, 408 and 429; other 4xx answers (bad token, stale attempt) are final.
 *
 * <p>A 409 whose problem type is {@code stale-attempt} or {@code already-finished} is callback's word that the
 * attempt is over (the process was cancelled, or a newer attempt runs): the stop listener runs, once. So that the
 * word comes within seconds even while Spark makes no visible progress, the last progress is sent again every
 * {@link #HEARTBEAT_PERIOD} once the job has said it runs.
 */
public final class HttpStatusReporter implements StatusReporter {
    static final Duration HEARTBEAT_PERIOD = Duration.ofSeconds(5);
    private static final Logger LOG = Logger.getLogger(HttpStatusReporter.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final URI url;
    private final String token;
    private final String traceparent;
    private final JobId jobId;
    private final int attempt;
    private final Clock clock;
    private final RetryPolicy retry;
    private final HttpClient http;
    private final ExecutorService sender;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicReference<JobStatusReport.Progress> pendingProgress = new AtomicReference<>();
    private final AtomicReference<JobStatusReport.Progress> lastProgress = new AtomicReference<>();
    private volatile long lastSentNanos = System.nanoTime();
    private final AtomicBoolean toldToStop = new AtomicBoolean();
    private volatile Runnable stopListener = () -> { };
    private final ScheduledExecutorService heartbeat;

    /**
     * @param attempts      tries of a terminal report
     * @param firstBackoff  wait before the second try; doubles each time
     * @param requestTimeout per request
     */
    public record RetryPolicy(int attempts, Duration firstBackoff, Duration requestTimeout) {
        public static final RetryPolicy DEFAULT = new RetryPolicy(6, Duration.ofMillis(500), Duration.ofSeconds(10));
    }

    /** @param traceparent the W3C trace context the job continues; null for none */
    public HttpStatusReporter(URI url, String token, String traceparent, JobId jobId, int attempt, Clock clock,
                              RetryPolicy retry) {
        this.url = url;
        this.token = token;
        this.traceparent = traceparent;
        this.jobId = jobId;
        this.attempt = attempt;
        this.clock = clock;
        this.retry = retry;
        this.http = HttpClient.newBuilder().connectTimeout(retry.requestTimeout()).build();
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "snapflow-status-reporter");
            t.setDaemon(true);
            return t;
        });
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "snapflow-status-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT_PERIOD.toMillis(), HEARTBEAT_PERIOD.toMillis() / 5,
                TimeUnit.MILLISECONDS);
    }

    /** Runs (once, on the reporter's thread) when callback says the attempt is over; see the class comment. */
    public void onStopWord(Runnable listener) {
        this.stopListener = listener;
    }

    /** True once callback said the attempt is over. */
    public boolean toldToStop() {
        return toldToStop.get();
    }

    private void heartbeat() {
        JobStatusReport.Progress last = lastProgress.get();
        if (last != null && !toldToStop.get() && System.nanoTime() - lastSentNanos >= HEARTBEAT_PERIOD.toNanos()) {
            running(last);
        }
    }

    @Override
    public void running(JobStatusReport.Progress progress) {
        lastProgress.set(progress);
        // Only the newest progress matters: if one is already waiting to be sent, replace it.
        if (pendingProgress.getAndSet(progress) == null) {
            sender.execute(() -> {
                JobStatusReport.Progress latest = pendingProgress.getAndSet(null);
                if (latest != null) {
                    deliver(report(JobState.RUNNING, latest, null, null, null, null), 1);
                }
            });
        }
    }

    @Override
    public boolean succeeded(String outputManifest, boolean cached, Map<String, Number> metrics) {
        return terminal(report(JobState.SUCCEEDED, null, outputManifest, cached, metrics, null));
    }

    @Override
    public boolean failed(ErrorClass errorClass, String message) {
        return terminal(report(JobState.FAILED, null, null, null, null, new JobStatusReport.JobError(errorClass, message)));
    }

    private boolean terminal(ReportBody report) {
        lastProgress.set(null);
        pendingProgress.set(null);
        Future<Boolean> delivered = sender.submit(() -> deliver(report, retry.attempts()));
        try {
            return delivered.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            LOG.log(Level.WARNING, "status report failed", e.getCause());
            return false;
        }
    }

    /** The report is built when the sender thread sends it, so sequence numbers follow the order of delivery. */
    private ReportBody report(JobState state, JobStatusReport.Progress progress, String outputManifest, Boolean cached,
                              Map<String, Number> metrics, JobStatusReport.JobError error) {
        return () -> new JobStatusReport(jobId.value(), attempt, state, sequence.incrementAndGet(), clock.instant(),
                progress, outputManifest, cached, metrics, error, JobStatusReport.REPORTER_JOB);
    }

    private interface ReportBody {
        JobStatusReport build();
    }

    private boolean deliver(ReportBody body, int attempts) {
        JobStatusReport report = body.build();
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a status report", e);
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(url)
                .timeout(retry.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofByteArray(json));
        if (traceparent != null) {
            builder.header("traceparent", traceparent);
        }
        HttpRequest request = builder.build();
        long backoff = retry.firstBackoff().toMillis();
        for (int i = 1; i <= attempts; i++) {
            String problem;
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                lastSentNanos = System.nanoTime();
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return true;
                }
                if (status == 409 && saysTheAttemptIsOver(response.body()) && toldToStop.compareAndSet(false, true)) {
                    LOG.warning(() -> "callback says this attempt is over: " + abbreviate(response.body()) + "; stopping");
                    stopListener.run();
                }
                problem = "HTTP " + status + " " + abbreviate(response.body());
                if (status / 100 == 4 && status != 408 && status != 429) {
                    LOG.warning(() -> "callback refused the " + report.state() + " report: " + abbreviate(response.body())
                            + " (HTTP " + status + "); not retrying");
                    return false;
                }
            } catch (IOException e) {
                problem = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            String why = problem;
            int tried = i;
            LOG.warning(() -> "callback " + url + " did not take the " + report.state() + " report (try " + tried
                    + " of " + attempts + "): " + why);
            if (i < attempts) {
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                backoff *= 2;
            }
        }
        return false;
    }

    private static boolean saysTheAttemptIsOver(String problem) {
        try {
            String type = JSON.readTree(problem).path("type").asText("");
            return type.equals(JobExitCodes.STALE_ATTEMPT_PROBLEM) || type.equals(JobExitCodes.ALREADY_FINISHED_PROBLEM);
        } catch (IOException notJson) {
            return false;
        }
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String oneLine = text.replace('\n', ' ');
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
        sender.shutdown();
        try {
            sender.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.shutdownNow();
    }
}
