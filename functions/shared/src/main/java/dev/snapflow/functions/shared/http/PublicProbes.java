package dev.snapflow.functions.shared.http;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.management.endpoint.health.HealthEndpoint;
import io.micronaut.management.health.indicator.HealthCheckType;
import io.micronaut.health.HealthStatus;
import io.micronaut.core.async.annotation.SingleResult;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.http.HttpStatus;
import org.reactivestreams.Publisher;

import java.util.Map;

/**
 * Liveness and readiness on the serving port, for Knative: it rewrites readiness probes to go through its
 * queue-proxy and accepts probes on the container's one serving port only. The management endpoints
 * (health with details, prometheus) live on the management port ({@code SNAPFLOW_MANAGEMENT_PORT}), which the
 * Knative Service does not expose; here a probe learns only {@code UP} (200) or {@code DOWN} (503), never
 * which indicator failed or why.
 */
@Controller("/health")
@Requires(beans = HealthEndpoint.class)
public class PublicProbes {
    private final HealthEndpoint health;

    public PublicProbes(HealthEndpoint health) {
        this.health = health;
    }

    @Get(uri = "/liveness", produces = MediaType.APPLICATION_JSON)
    @SingleResult
    public Publisher<HttpResponse<Map<String, String>>> liveness() {
        return answer(HealthCheckType.LIVENESS);
    }

    @Get(uri = "/readiness", produces = MediaType.APPLICATION_JSON)
    @SingleResult
    public Publisher<HttpResponse<Map<String, String>>> readiness() {
        return answer(HealthCheckType.READINESS);
    }

    private Publisher<HttpResponse<Map<String, String>>> answer(HealthCheckType type) {
        return Publishers.map(health.getHealth(null, type), result -> HealthStatus.UP.equals(result.getStatus())
                ? HttpResponse.ok(Map.of("status", "UP"))
                : HttpResponse.<Map<String, String>>status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("status", "DOWN")));
    }
}
