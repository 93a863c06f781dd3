package dev.snapflow.functions.shared.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;

import java.util.HashMap;
import java.util.Map;

/** Reads a CloudEvent from an HTTP request in the binary or the structured HTTP binding. */
public final class HttpCloudEvents {
    private HttpCloudEvents() {
    }

    /**
     * @throws RuntimeException (from the CloudEvents SDK) when the request is not a valid CloudEvent; its message
     *                          says why
     */
    public static CloudEvent read(HttpRequest<?> request, @Nullable byte[] body) {
        Map<String, String> headers = new HashMap<>();
        request.getHeaders().forEach((name, values) -> {
            if (!values.isEmpty()) {
                headers.put(name, values.get(0));
            }
        });
        if (!headers.containsKey(HttpHeaders.CONTENT_TYPE) && request.getContentType().isPresent()) {
            headers.put(HttpHeaders.CONTENT_TYPE, request.getContentType().get().toString());
        }
        return HttpMessageFactory.createReader(headers, body == null ? new byte[0] : body).toEvent();
    }
}
