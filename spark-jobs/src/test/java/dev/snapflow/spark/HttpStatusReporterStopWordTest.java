package dev.snapflow.spark;

import com.sun.net.httpserver.HttpServer;
import dev.snapflow.contracts.jobs.JobExitCodes;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobStatusReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Callback's 409 with a stop problem type reaches the job as a stop word, also while the job reports nothing new
 * (the heartbeat asks); other refusals do not. Callback is a JDK HTTP server answering as the real one does.
 */
class HttpStatusReporterStopWordTest {
    private static final JobId JOB = JobId.of(UUID.randomUUID().toString(), 1, 1);

    private final AtomicInteger received = new AtomicInteger();
    /** What callback answers from the n-th report on (1-based); before it, 202. */
    private final AtomicReference<Answer> answer = new AtomicReference<>(new Answer(1, 202, ""));
    private HttpServer callback;
    private HttpStatusReporter reporter;

    private record Answer(int fromReport, int status, String body) {
    }

    private HttpStatusReporter reporter() throws IOException {
        callback = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        callback.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                int n = received.incrementAndGet();
                Answer now = answer.get();
                int status = n >= now.fromReport() ? now.status() : 202;
                byte[] body = (n >= now.fromReport() ? now.body() : "").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
                exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    exchange.getResponseBody().write(body);
                }
            }
        });
        callback.start();
        reporter = new HttpStatusReporter(URI.create("http://127.0.0.1:" + callback.getAddress().getPort() + "/status"),
                "token", null, JOB, 1, Clock.systemUTC(), new HttpStatusReporter.RetryPolicy(2, Duration.ofMillis(10),
                Duration.ofSeconds(5)));
        return reporter;
    }

    @AfterEach
    void stop() {
        if (reporter != null) {
            reporter.close();
        }
        if (callback != null) {
            callback.stop(0);
        }
    }

    private static String problem(String type) {
        return "{\"type\":\"" + type + "\",\"title\":\"Already finished\",\"status\":409,\"detail\":\"stop\"}";
    }

    @Test
    void aCancelledAttemptHearsItFromTheHeartbeatWhileItReportsNothingNew() throws IOException {
        answer.set(new Answer(2, 409, problem(JobExitCodes.ALREADY_FINISHED_PROBLEM)));
        HttpStatusReporter reporter = reporter();
        AtomicInteger stopWords = new AtomicInteger();
        reporter.onStopWord(stopWords::incrementAndGet);

        reporter.running(new JobStatusReport.Progress(0, 0, 0, 0));

        await().atMost(Duration.ofSeconds(30)).until(() -> stopWords.get() == 1);
        assertThat(reporter.toldToStop()).isTrue();
        assertThat(received.get()).as("the first report, then a heartbeat").isGreaterThanOrEqualTo(2);
    }

    @Test
    void aSupersededAttemptIsToldToStopOnce() throws IOException {
        answer.set(new Answer(1, 409, problem(JobExitCodes.STALE_ATTEMPT_PROBLEM)));
        HttpStatusReporter reporter = reporter();
        AtomicInteger stopWords = new AtomicInteger();
        reporter.onStopWord(stopWords::incrementAndGet);

        reporter.running(new JobStatusReport.Progress(1, 2, 3, 4));
        await().atMost(Duration.ofSeconds(30)).until(() -> stopWords.get() == 1);
        assertThat(reporter.failed(dev.snapflow.contracts.jobs.ErrorClass.TRANSIENT, "lost")).isFalse();

        assertThat(stopWords.get()).isEqualTo(1);
    }

    @Test
    void anotherConflictIsNoStopWord() throws IOException {
        answer.set(new Answer(1, 409, "{\"type\":\"https://snapflow.dev/problems/something-else\",\"status\":409}"));
        HttpStatusReporter reporter = reporter();
        AtomicInteger stopWords = new AtomicInteger();
        reporter.onStopWord(stopWords::incrementAndGet);

        assertThat(reporter.failed(dev.snapflow.contracts.jobs.ErrorClass.TRANSIENT, "lost")).isFalse();

        assertThat(reporter.toldToStop()).isFalse();
        assertThat(stopWords.get()).isZero();
    }
}
