package dev.snapflow.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The public API of Snapflow (validate's HTTP endpoints), used the way a user's program would use it. Any answer
 * that is not 2xx becomes a {@link CliException} with the problem's title and detail (and the field at fault).
 */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI baseUrl;
    private final String bearer;

    /** @param bearer an API key ({@code sfk_...}) or, for admin calls, the admin token */
    ApiClient(URI baseUrl, String bearer) {
        this.baseUrl = baseUrl.toString().endsWith("/") ? baseUrl : URI.create(baseUrl + "/");
        this.bearer = bearer;
    }

    JsonNode get(String path) {
        return send(request(path).GET().build());
    }

    JsonNode post(String path, JsonNode body) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
    }

    /** A slice of a text resource (a job's log): its bytes, where to ask next, and the whole size now. */
    record TextSlice(byte[] bytes, long nextOffset, long size) {
    }

    /** GET of a text resource; a 404 is empty (nothing there yet), any other non-2xx a {@link CliException}. */
    java.util.Optional<TextSlice> getText(String path) {
        HttpResponse<byte[]> response = exchange(request(path).setHeader("Accept", "text/plain, application/problem+json")
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() == 404) {
            return java.util.Optional.empty();
        }
        if (response.statusCode() / 100 != 2) {
            String raw = new String(response.body(), StandardCharsets.UTF_8);
            throw new ApiProblemException(response.statusCode(), problem(response.statusCode(), parse(raw), raw));
        }
        long size = response.headers().firstValueAsLong("Snapflow-Log-Size").orElse(response.body().length);
        long next = response.headers().firstValueAsLong("Snapflow-Next-Offset").orElse(response.body().length);
        return java.util.Optional.of(new TextSlice(response.body(), next, size));
    }

    /** Answers 2xx as JSON; {@code null} body for 2xx without content. */
    JsonNode send(HttpRequest request) {
        HttpResponse<String> response = exchange(request, HttpResponse.BodyHandlers.ofString());
        JsonNode body = parse(response.body());
        if (response.statusCode() / 100 != 2) {
            throw new ApiProblemException(response.statusCode(), problem(response.statusCode(), body, response.body()));
        }
        return body;
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (ConnectException e) {
            throw new CliException("cannot reach the Snapflow API at " + baseUrl + " (is `snapflow up` running? --url)");
        } catch (IOException e) {
            throw new CliException("the Snapflow API at " + baseUrl + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(baseUrl.resolve(path.startsWith("/") ? path.substring(1) : path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearer).header("Accept", "application/json");
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** "HTTP 422 Unprocessable Entity: params.clean.rules: ... (field params.clean.rules)" from problem+json. */
    static String problem(int status, JsonNode body, String raw) {
        if (body == null || !body.isObject()) {
            return "HTTP " + status + (raw == null || raw.isBlank() ? "" : ": " + raw.strip());
        }
        StringBuilder message = new StringBuilder("HTTP ").append(status);
        if (body.hasNonNull("title")) {
            message.append(' ').append(body.get("title").asText());
        }
        if (body.hasNonNull("detail")) {
            message.append(": ").append(body.get("detail").asText());
        }
        if (body.hasNonNull("field")) {
            message.append(" (field ").append(body.get("field").asText()).append(')');
        }
        return message.toString();
    }
}
