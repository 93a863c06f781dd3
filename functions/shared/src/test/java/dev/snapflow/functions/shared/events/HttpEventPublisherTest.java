package dev.snapflow.functions.shared.events;

import com.sun.net.httpserver.HttpServer;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Knative publisher against a stand-in for the broker's ingress (Knative itself cannot run here). */
class HttpEventPublisherTest {
    private final List<CloudEvent> received = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicInteger status = new AtomicInteger(202);
    private final HttpServer sink = start();

    private HttpServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                Map<String, String> headers = new HashMap<>();
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, v.get(0)));
                authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
                received.add(HttpMessageFactory.createReader(headers, exchange.getRequestBody().readAllBytes()).toEvent());
                exchange.sendResponseHeaders(status.get(), -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() {
        sink.stop(0);
    }

    private HttpEventPublisher publisher() {
        return publisher(new SinkAuthConfiguration(null, null));
    }

    private HttpEventPublisher publisher(SinkAuthConfiguration auth) {
        return new HttpEventPublisher(new TransportConfiguration(TransportConfiguration.Transport.HTTP,
                "http://127.0.0.1:" + sink.getAddress().getPort() + "/", "snapflow-events", "snapflow-jobs",
                "snapflow-dead-letter", "test", false), auth);
    }

    private static CloudEvent event() {
        return CloudEventBuilder.v1().withId("e-1").withSource(URI.create("/test")).withType("dev.snapflow.test.v1")
                .withExtension("partitionkey", "t/e").withData("application/json", "{\"a\":1}".getBytes(StandardCharsets.UTF_8))
                .build();
    }

    @Test
    void publishesTheWholeEventToTheSinkInBinaryMode() {
        publisher().publish(event());

        assertThat(received).hasSize(1);
        assertThat(received.get(0).getId()).isEqualTo("e-1");
        assertThat(received.get(0).getExtension("partitionkey")).isEqualTo("t/e");
        assertThat(new String(received.get(0).getData().toBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    }

    @Test
    void aRefusalOfTheSinkIsAnUnacknowledgedEvent() {
        status.set(503);
        assertThatThrownBy(() -> publisher().publish(event())).isInstanceOf(EventPublishException.class)
                .hasMessageContaining("503");
    }

    @Test
    void httpTransportWithoutASinkIsRefusedNamingKSink() {
        assertThatThrownBy(() -> new TransportConfiguration(TransportConfiguration.Transport.HTTP, null, "a", "b", "c",
                "g", false)).hasMessageContaining("K_SINK");
    }

    @Test
    void presentsTheSinkBindingsTokenAndReadsItAgainAfterItIsRenewed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path token = dir.resolve("token");
        java.nio.file.Files.writeString(token, "first.jwt.token\n");
        HttpEventPublisher publisher = publisher(new SinkAuthConfiguration(token.toString(), null));

        publisher.publish(event());
        java.nio.file.Files.writeString(token, "renewed.jwt.token");
        publisher.publish(event());

        assertThat(authorizations).containsExactly("Bearer first.jwt.token", "Bearer renewed.jwt.token");
    }

    @Test
    void withoutATokenFileNoAuthorizationIsSent() {
        publisher().publish(event());
        assertThat(authorizations).containsExactly("null");
    }

    @Test
    void aTokenFileThatDoesNotExistStopsStartupNamingTheSetting() {
        assertThatThrownBy(() -> new SinkAuthConfiguration("/nonexistent/oidc/token", null))
                .hasMessageContaining("SNAPFLOW_SINK_TOKEN_FILE").hasMessageContaining("/nonexistent/oidc/token");
    }
}
