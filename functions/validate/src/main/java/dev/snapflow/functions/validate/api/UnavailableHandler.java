package dev.snapflow.functions.validate.api;

import dev.snapflow.functions.shared.http.Problem;
import dev.snapflow.functions.shared.persistence.Database;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The database or object storage failed: nothing was committed, and the client may simply try again
 * (with the same Idempotency-Key). 503 problem+json rather than a bare 500.
 */
@Produces(Problem.CONTENT_TYPE)
@Singleton
@Requires(classes = {ExceptionHandler.class})
public class UnavailableHandler implements ExceptionHandler<RuntimeException, HttpResponse<Problem>> {
    private static final Logger LOG = LoggerFactory.getLogger(UnavailableHandler.class);

    @Override
    public HttpResponse<Problem> handle(HttpRequest request, RuntimeException e) {
        if (e instanceof Database.DatabaseException || e instanceof SdkException) {
            LOG.warn("{} {} failed on a dependency: {}", request.getMethod(), request.getPath(), e.getMessage());
            return Problem.of(HttpStatus.SERVICE_UNAVAILABLE, "Temporarily unavailable",
                    "a dependency (database or object storage) failed; nothing was stored, try again", (String) null)
                    .toResponse();
        }
        LOG.error("{} {} failed", request.getMethod(), request.getPath(), e);
        return Problem.of(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error", "unexpected error; see the server log",
                (String) null).toResponse();
    }
}
