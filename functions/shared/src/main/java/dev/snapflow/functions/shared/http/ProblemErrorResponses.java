package dev.snapflow.functions.shared.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.micronaut.context.annotation.Primary;
import io.micronaut.core.bind.exceptions.UnsatisfiedArgumentException;
import io.micronaut.core.convert.exceptions.ConversionErrorException;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.HttpServerConfiguration;
import io.micronaut.http.server.exceptions.NotAllowedException;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;

import java.util.TreeSet;

/**
 * Every error the framework answers by itself (no route: 404, wrong method: 405, body over
 * {@code micronaut.server.max-request-size}: 413, wrong Content-Type: 415, a path or query value of the wrong
 * type, unreadable JSON) becomes application/problem+json like our own errors. The detail names the field and
 * the rule; it never carries the exception's message, which names Java classes and parser internals.
 */
@Primary
@Singleton
public class ProblemErrorResponses implements ErrorResponseProcessor<Problem> {
    private final long maxRequestSize;

    public ProblemErrorResponses(HttpServerConfiguration server) {
        this.maxRequestSize = server.getMaxRequestSize();
    }

    @Override
    public MutableHttpResponse<Problem> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        HttpStatus status = response.getStatus();
        Throwable cause = context.getRootCause().orElse(null);
        Problem problem = switch (status) {
            case NOT_FOUND -> Problem.of(status, "Not found", "no resource at this path", (String) null);
            case METHOD_NOT_ALLOWED -> Problem.of(status, "Method not allowed", "method "
                    + context.getRequest().getMethodName() + " is not allowed at this path"
                    + (cause instanceof NotAllowedException notAllowed
                    ? "; allowed: " + String.join(", ", new TreeSet<>(notAllowed.getAllowedMethods())) : ""), (String) null);
            case REQUEST_ENTITY_TOO_LARGE -> Problem.of(status, "Request too large",
                    "the body must be at most " + maxRequestSize + " bytes", JsonInputProblem.BODY);
            case UNSUPPORTED_MEDIA_TYPE -> Problem.of(status, "Unsupported media type",
                    "this Content-Type is not accepted here; send application/json", HttpHeaders.CONTENT_TYPE);
            case NOT_ACCEPTABLE -> Problem.of(status, "Not acceptable",
                    "this resource answers application/json or application/problem+json", HttpHeaders.ACCEPT);
            case BAD_REQUEST -> badRequest(cause);
            default -> status.getCode() >= 500
                    ? Problem.of(status, "Internal error", "unexpected error; see the server log", (String) null)
                    : Problem.of(status, status.getReason(), "the request was not accepted", (String) null);
        };
        return response.body(problem).contentType(Problem.CONTENT_TYPE);
    }

    private static Problem badRequest(Throwable cause) {
        HttpStatus status = HttpStatus.BAD_REQUEST;
        if (cause instanceof ConversionErrorException conversion) {
            return Problem.of(status, "Bad request", conversion.getArgument().getName()
                    + " has a value of the wrong type", conversion.getArgument().getName());
        }
        if (cause instanceof UnsatisfiedArgumentException unsatisfied) {
            return Problem.of(status, "Bad request", unsatisfied.getArgument().getName() + " is required",
                    unsatisfied.getArgument().getName());
        }
        if (cause instanceof JsonProcessingException json) {
            JsonInputProblem input = JsonInputProblem.of(json);
            return Problem.of(status, "Bad request", input.field() + " " + input.rule(), input.field());
        }
        return Problem.of(status, "Bad request", "the request is malformed", (String) null);
    }
}
