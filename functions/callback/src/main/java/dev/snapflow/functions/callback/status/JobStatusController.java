package dev.snapflow.functions.callback.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.functions.shared.tracing.EventTracing;
import dev.snapflow.functions.shared.http.JsonInputProblem;
import dev.snapflow.functions.shared.http.Problem;
import dev.snapflow.functions.shared.security.JobTokens;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.opentelemetry.api.trace.Span;

import java.io.IOException;

/**
 * {@code POST /v1/jobs/{jobId}/status}: status reports from running jobs, authenticated by the job's own token
 * ({@code Authorization: Bearer}, minted by launch for exactly this job and attempt). 202 applied, 200 repeat
 * or out of date (harmless), 401 forged, 404 unknown job, 409 stale attempt or finished process (the job
 * should stop), 400 malformed.
 */
@Controller("/v1/jobs")
@ExecuteOn(TaskExecutors.BLOCKING)
public class JobStatusController {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private static final int MAX_BODY = 256 * 1024;

    private final StatusReports reports;
    private final JobTokens tokens;
    private final MeterRegistry meters;

    public JobStatusController(StatusReports reports, JobTokens tokens, MeterRegistry meters) {
        this.reports = reports;
        this.tokens = tokens;
        this.meters = meters;
    }

    @Post(uri = "/{jobId}/status", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> report(HttpRequest<?> request, @PathVariable String jobId, @Body @Nullable byte[] body) {
        JobId id;
        try {
            id = new JobId(jobId);
        } catch (IllegalArgumentException e) {
            return reject(HttpStatus.NOT_FOUND, "Unknown job", "no job " + jobId, "jobId", "unknown_job");
        }
        Span.current().setAttribute(EventTracing.JOB_ID, id.toString()).setAttribute(EventTracing.PROCESS_ID, id.processId());
        String token = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION)
                .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7)).map(v -> v.substring(7).trim()).orElse(null);
        if (!tokens.verify(id, id.attempt(), token)) {
            return reject(HttpStatus.UNAUTHORIZED, "Unauthorized", "the job token is missing or not valid for job " + jobId,
                    "Authorization", "forged");
        }
        if (request.getContentType().map(t -> !t.getName().startsWith(MediaType.APPLICATION_JSON)).orElse(true)) {
            return reject(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type", "must be application/json",
                    "Content-Type", "media_type");
        }
        if (body == null || body.length == 0 || body.length > MAX_BODY) {
            return reject(body != null && body.length > MAX_BODY ? HttpStatus.REQUEST_ENTITY_TOO_LARGE : HttpStatus.BAD_REQUEST,
                    "Bad report", "a JobStatusReport JSON body of at most " + MAX_BODY + " bytes is required", "body", "malformed");
        }
        JobStatusReport report;
        try {
            report = JSON.readValue(body, JobStatusReport.class);
        } catch (JsonProcessingException e) {
            // The field and the rule only: Jackson's message names our classes and its parser's state.
            JsonInputProblem problem = JsonInputProblem.of(e);
            return reject(HttpStatus.BAD_REQUEST, "Bad report", problem.field() + " " + problem.rule(), problem.field(),
                    "malformed");
        } catch (IOException | IllegalArgumentException e) {
            return reject(HttpStatus.BAD_REQUEST, "Bad report", "body must be a JobStatusReport JSON object", "body",
                    "malformed");
        }
        if (report == null) {
            JsonInputProblem problem = JsonInputProblem.nullBody();
            return reject(HttpStatus.BAD_REQUEST, "Bad report", problem.field() + " " + problem.rule(), problem.field(),
                    "malformed");
        }
        if (!jobId.equals(report.jobId()) || report.attempt() != id.attempt()) {
            return reject(HttpStatus.BAD_REQUEST, "Bad report", "jobId and attempt of the body must match the URL's job "
                    + jobId, "jobId", "malformed");
        }
        return switch (reports.apply(report)) {
            case APPLIED -> HttpResponse.accepted();
            case DUPLICATE -> HttpResponse.ok();
            case UNKNOWN_JOB -> reject(HttpStatus.NOT_FOUND, "Unknown job", "no job " + jobId, "jobId", "unknown_job");
            case STALE_ATTEMPT -> reject(HttpStatus.CONFLICT, "Stale attempt", "job " + jobId
                    + " is not the current attempt of its step; stop", "attempt", "stale_attempt");
            case ALREADY_FINISHED -> reject(HttpStatus.CONFLICT, "Already finished", "the attempt or its process has "
                    + "already ended (e.g. cancelled); stop", "state", "already_finished");
        };
    }

    private HttpResponse<?> reject(HttpStatus status, String title, String detail, String field, String reason) {
        meters.counter("snapflow.status_reports.rejected", "reason", reason).increment();
        return Problem.response(status, title, detail, field);
    }
}
