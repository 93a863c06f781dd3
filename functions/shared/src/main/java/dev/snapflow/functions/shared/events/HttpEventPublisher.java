package dev.snapflow.functions.shared.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes to the Knative sink ({@code K_SINK}, injected by a SinkBinding) with the CloudEvents HTTP binding
 * (binary mode). The broker's 2xx is its acknowledgement.
 */
@Singleton
@Requires(property = "snapflow.events.transport", value = "http")
public class HttpEventPublisher implements EventPublisher {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI sink;

    public HttpEventPublisher(TransportConfiguration config) {
        this.sink = URI.create(config.sink());
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
