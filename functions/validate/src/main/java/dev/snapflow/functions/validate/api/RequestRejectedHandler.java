package dev.snapflow.functions.validate.api;

import dev.snapflow.functions.shared.http.Problem;
import dev.snapflow.functions.validate.accept.RequestRejected;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** Every rejected request becomes an application/problem+json response naming the field at fault. */
@Produces(Problem.CONTENT_TYPE)
@Singleton
@Requires(classes = {RequestRejected.class, ExceptionHandler.class})
public class RequestRejectedHandler implements ExceptionHandler<RequestRejected, HttpResponse<Problem>> {
    @Override
    public HttpResponse<Problem> handle(HttpRequest request, RequestRejected e) {
        HttpStatus status = HttpStatus.valueOf(e.status());
        Problem problem = Problem.of(status, e.title(), e.getMessage(),
                e.problems().stream().map(p -> new Problem.FieldError(p.field(), p.message())).toList());
        return problem.toResponse();
    }
}
