package dev.snapflow.functions.shared.http;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.serde.annotation.Serdeable;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * An RFC 9457 problem details body ({@code application/problem+json}). {@code field} names the request field
 * at fault (the JSON pointer-ish name a client shows next to the input), {@code errors} lists several when
 * there are several.
 */
@Serdeable
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, @Nullable String field,
                      @Nullable List<FieldError> errors) {

    public static final String CONTENT_TYPE = "application/problem+json";

    @Serdeable
    public record FieldError(String field, String message) {
    }

    public static Problem of(HttpStatus status, String title, String detail, @Nullable String field) {
        return new Problem("https://snapflow.dev/problems/" + slug(title), title, status.getCode(), detail, field, null);
    }

    public static Problem of(HttpStatus status, String title, String detail, List<FieldError> errors) {
        String field = errors.isEmpty() ? null : errors.get(0).field();
        return new Problem("https://snapflow.dev/problems/" + slug(title), title, status.getCode(), detail, field,
                errors.isEmpty() ? null : List.copyOf(errors));
    }

    public MutableHttpResponse<Problem> toResponse() {
        return HttpResponse.<Problem>status(HttpStatus.valueOf(status)).body(this).contentType(CONTENT_TYPE);
    }

    public static MutableHttpResponse<Problem> response(HttpStatus status, String title, String detail,
                                                        @Nullable String field) {
        return of(status, title, detail, field).toResponse();
    }

    private static String slug(String title) {
        return title.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }
}
