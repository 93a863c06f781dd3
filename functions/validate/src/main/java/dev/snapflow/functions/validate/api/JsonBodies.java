package dev.snapflow.functions.validate.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.snapflow.functions.shared.http.JsonInputProblem;
import dev.snapflow.functions.validate.ValidateConfiguration;
import dev.snapflow.functions.validate.accept.RequestRejected;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads request bodies strictly (JSON only, size-limited, unknown fields refused, the offending field and rule
 * named, never a Java class or parser internals; {@code null} refused) and writes response bodies. The API's JSON is written here, in one place, with one mapper.
 */
@Singleton
public class JsonBodies {
    private final ObjectMapper reader = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final ObjectMapper writer = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);
    private final int maxBytes;

    public JsonBodies(ValidateConfiguration config) {
        this.maxBytes = config.maxRequestBytes();
    }

    public <T> T read(HttpRequest<?> request, byte[] body, Class<T> type) {
        MediaType contentType = request.getContentType().orElse(null);
        if (contentType == null || !(contentType.getType() + "/" + contentType.getSubtype()).equalsIgnoreCase("application/json")) {
            throw new RequestRejected(415, "Unsupported media type", "unsupported_media_type", "Content-Type",
                    "must be application/json, was " + (contentType == null ? "missing" : contentType.toString()));
        }
        if (body != null && body.length > maxBytes) {
            throw new RequestRejected(413, "Request too large", "too_large", "body",
                    "at most " + maxBytes + " bytes are accepted, was " + body.length);
        }
        if (body == null || body.length == 0) {
            throw RequestRejected.badRequest("body", "a JSON object is required");
        }
        T value;
        try {
            value = reader.readValue(body, type);
        } catch (JsonProcessingException e) {
            JsonInputProblem problem = JsonInputProblem.of(e);
            String reason = e instanceof UnrecognizedPropertyException ? "unknown_field" : "malformed_json";
            throw new RequestRejected(400, "Bad request", reason, problem.field(), problem.rule());
        } catch (IOException e) {
            throw new RequestRejected(400, "Bad request", "malformed_json", JsonInputProblem.BODY, "must be readable JSON");
        }
        if (value == null) {
            JsonInputProblem problem = JsonInputProblem.nullBody();
            throw new RequestRejected(400, "Bad request", "malformed_json", problem.field(), problem.rule());
        }
        return value;
    }

    public MutableHttpResponse<String> json(MutableHttpResponse<?> response, Object body) {
        try {
            return response.body(writer.writeValueAsString(body)).contentType(MediaType.APPLICATION_JSON_TYPE);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write response", e);
        }
    }

    public MutableHttpResponse<String> ok(Object body) {
        return json(HttpResponse.ok(), body);
    }

    public ObjectMapper writer() {
        return writer;
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
