package dev.snapflow.spark;

import com.sun.net.httpserver.HttpServer;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobId;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job continues the trace launch gave it: {@code TRACEPARENT} from its environment goes out as the
 * {@code traceparent} header of every status report; a malformed one is dropped (tracing never stops a job).
 */
class JobTraceContextTest {
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private static List<String> argv() {
        return new JobArguments("acme", "orders", "v1", "clean", "{}", "s3://snapflow-data/acme/orders/v1/_manifest.json",
                "s3://snapflow-data/acme/orders/silver/x/", UUID.randomUUID().toString(), 1, 1,
                "http://127.0.0.1:1/v1/jobs/x/status").toArgs();
    }

    @Test
    void theTraceContextComesFromTheEnvironmentAndAMalformedOneIsDropped() {
        Map<String, String> env = new HashMap<>(Map.of(JobArguments.CALLBACK_TOKEN_ENV, "token",
                JobArguments.TRACEPARENT_ENV, TRACEPARENT));
        assertThat(JobCommandLine.parse(argv(), env).traceparent()).isEqualTo(TRACEPARENT);

        env.put(JobArguments.TRACEPARENT_ENV, "00-not-a-trace");
        assertThat(JobCommandLine.parse(argv(), env).traceparent()).isNull();

        env.remove(JobArguments.TRACEPARENT_ENV);
        assertThat(JobCommandLine.parse(argv(), env).traceparent()).isNull();
    }

    @Test
    void everyReportCarriesTheTraceparentHeader() throws IOException {
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer callback = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        callback.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                received.add(String.valueOf(exchange.getRequestHeaders().getFirst("traceparent")));
                exchange.sendResponseHeaders(202, -1);
            }
        });
        callback.start();
        try (HttpStatusReporter reporter = new HttpStatusReporter(
                URI.create("http://127.0.0.1:" + callback.getAddress().getPort() + "/status"), "token", TRACEPARENT,
                JobId.of(UUID.randomUUID().toString(), 1, 1), 1, Clock.systemUTC(),
                new HttpStatusReporter.RetryPolicy(2, Duration.ofMillis(10), Duration.ofSeconds(5)))) {
            assertThat(reporter.failed(ErrorClass.INVALID_DATA, "scripted failure")).isTrue();
        } finally {
            callback.stop(0);
        }
        assertThat(received).isNotEmpty().allMatch(TRACEPARENT::equals);
    }
}
