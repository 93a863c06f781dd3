package dev.snapflow.functions.shared.events;

import dev.snapflow.functions.shared.security.PemTrust;
import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes to the Knative sink ({@code K_SINK}, injected by a SinkBinding) with the CloudEvents HTTP binding
 * (binary mode). The broker's 2xx is its acknowledgement. With OIDC on, each request carries the SinkBinding's
 * token for the broker's audience, and the broker's TLS certificate is checked against {@code K_CA_CERTS}
 * ({@link SinkAuthConfiguration}).
 */
@Singleton
@Requires(property = "snapflow.events.transport", value = "http")
public class HttpEventPublisher implements EventPublisher {
    private final HttpClient client;
    private final URI sink;
    private final Path tokenFile;

    public HttpEventPublisher(TransportConfiguration config, SinkAuthConfiguration auth) {
        this.sink = URI.create(config.sink());
        this.tokenFile = auth.tokenFile() == null ? null : Path.of(auth.tokenFile());
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (auth.caCerts() != null) {
            builder.sslContext(PemTrust.sslContext(auth.caCerts(), "K_CA_CERTS"));
        }
        this.client = builder.build();
    }

    @Override
    public void publish(CloudEvent event) {
        List<String> headers = new ArrayList<>();
        byte[][] body = new byte[1][];
        HttpMessageFactory.createWriter((name, value) -> {
            headers.add(name);
            headers.add(value);
        }, bytes -> body[0] = bytes).writeBinary(event);
        HttpRequest.Builder request = HttpRequest.newBuilder(sink).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body[0] == null ? new byte[0] : body[0]));
        for (int i = 0; i < headers.size(); i += 2) {
            request.header(headers.get(i), headers.get(i + 1));
        }
        try {
            if (tokenFile != null) {
                // Re-read each time: Knative renews the token in the mounted Secret before it expires.
                request.header("Authorization", "Bearer " + Files.readString(tokenFile, StandardCharsets.US_ASCII).strip());
            }
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new EventPublishException("sink " + sink + " answered " + response.statusCode() + " to event "
                        + event.getId() + ": " + response.body(), response.statusCode());
            }
        } catch (IOException e) {
            throw new EventPublishException("sink " + sink + " unreachable for event " + event.getId(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventPublishException("interrupted while publishing " + event.getId(), e);
        }
    }
}
