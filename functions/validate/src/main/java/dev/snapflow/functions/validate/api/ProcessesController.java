package dev.snapflow.functions.validate.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.functions.shared.tracing.EventTracing;
import dev.snapflow.functions.shared.domain.ProcessState;
import dev.snapflow.functions.shared.http.Problem;
import dev.snapflow.functions.validate.accept.AcceptedProcess;
import dev.snapflow.functions.validate.accept.Origin;
import dev.snapflow.functions.validate.accept.ProcessAcceptor;
import dev.snapflow.functions.validate.accept.ProcessCanceller;
import dev.snapflow.functions.validate.accept.ProcessRequest;
import dev.snapflow.functions.validate.accept.RequestRejected;
import dev.snapflow.functions.validate.storage.JobLogStore;
import dev.snapflow.functions.validate.storage.SnapshotStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.opentelemetry.api.trace.Span;

import java.net.URI;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/** The public process API; every endpoint needs a tenant API key. */
@Controller("/v1/processes")
@ExecuteOn(TaskExecutors.BLOCKING)
public class ProcessesController {
    public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

    private final TenantAuthenticator authenticator;
    private final JsonBodies bodies;
    private final ProcessAcceptor acceptor;
    private final ProcessCanceller canceller;
    /** How much of a failed step's log GET process shows: its last lines, read from at most its last 8 KiB. */
    static final int LOG_TAIL_LINES = 20;
    static final int LOG_TAIL_BYTES = 8 * 1024;
    public static final String LOG_SIZE_HEADER = "Snapflow-Log-Size";
    public static final String NEXT_OFFSET_HEADER = "Snapflow-Next-Offset";

    private final ProcessQueries queries;
    private final JobLogStore logs;
    private final SnapshotStore snapshots;

    public ProcessesController(TenantAuthenticator authenticator, JsonBodies bodies, ProcessAcceptor acceptor,
                               ProcessCanceller canceller, ProcessQueries queries, JobLogStore logs,
                               SnapshotStore snapshots) {
        this.snapshots = snapshots;
        this.authenticator = authenticator;
        this.bodies = bodies;
        this.acceptor = acceptor;
        this.canceller = canceller;
        this.queries = queries;
        this.logs = logs;
    }

    /** The body of POST /v1/processes. */
    public record CreateProcess(String entity, String dataVersion, String action, String pipeline, JsonNode params,
                                String webhookUrl) {
    }

    public record CancelProcess(String reason) {
    }

    @Post(consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> create(HttpRequest<?> request, @Body @Nullable byte[] body,
                                  @Header(IDEMPOTENCY_KEY_HEADER) @Nullable String idempotencyKey) {
        String tenant = authenticator.tenantOf(request);
        Span.current().setAttribute(EventTracing.TENANT, tenant);
        CreateProcess create = bodies.read(request, body, CreateProcess.class);
        AtomicReference<ProcessViews.ProcessView> inserted = new AtomicReference<>();
        AcceptedProcess accepted = acceptor.accept(tenant, new ProcessRequest(create.entity(), create.dataVersion(),
                create.action(), create.pipeline(), create.params(), create.webhookUrl()), idempotencyKey, Origin.API,
                (connection, id) -> inserted.set(queries.find(connection, tenant, id).orElseThrow()));
        Span.current().setAttribute(EventTracing.PROCESS_ID, accepted.processId().toString());
        var view = accepted.created() ? inserted.get() : queries.find(tenant, accepted.processId()).orElseThrow();
        URI location = URI.create("/v1/processes/" + accepted.processId());
        return bodies.json(accepted.created() ? HttpResponse.created(location) : HttpResponse.ok().header("Location",
                location.toString()), view);
    }

    @Get(uri = "/{id}", produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> get(HttpRequest<?> request, @PathVariable String id) {
        String tenant = authenticator.tenantOf(request);
        return queries.find(tenant, parseId(id)).map(this::withStepOutcomes).map(this::withFailedStepLogTails)
                .<HttpResponse<?>>map(bodies::ok).orElseGet(() -> notFound(id));
    }

    /**
     * One attempt's driver log as text, {@code limit} bytes from {@code offset}. The log grows while the job runs:
     * {@value #NEXT_OFFSET_HEADER} is where to ask next, {@value #LOG_SIZE_HEADER} its size now.
     */
    @Get(uri = "/{id}/steps/{step}/attempts/{attempt}/log", produces = {MediaType.TEXT_PLAIN, Problem.CONTENT_TYPE})
    public HttpResponse<?> log(HttpRequest<?> request, @PathVariable String id, @PathVariable String step,
                               @PathVariable String attempt, @QueryValue @Nullable String offset,
                               @QueryValue @Nullable String limit) {
        String tenant = authenticator.tenantOf(request);
        UUID processId = parseId(id);
        LogRequest wanted = LogRequest.parse(step, attempt, offset, limit);
        if (!queries.exists(tenant, processId)) {
            return notFound(id);
        }
        String key = StorageLayout.driverLogKey(tenant, processId.toString(), wanted.step(), wanted.attempt());
        return logs.read(key, wanted.offset(), wanted.limit())
                .<HttpResponse<?>>map(slice -> HttpResponse.ok(slice.bytes())
                        .contentType(MediaType.TEXT_PLAIN + ";charset=utf-8")
                        .header(LOG_SIZE_HEADER, Long.toString(slice.totalBytes()))
                        .header(NEXT_OFFSET_HEADER, Long.toString(slice.nextOffset())))
                .orElseGet(() -> Problem.response(HttpStatus.NOT_FOUND, "Not found", "no log of step " + wanted.step()
                        + " attempt " + wanted.attempt() + " of process " + id + " (yet)", "attempt"));
    }

    /** A SUCCEEDED step shows its quality results and rejected rows, from its (immutable) output manifest. */
    private ProcessViews.ProcessView withStepOutcomes(ProcessViews.ProcessView process) {
        if (process.steps() == null) {
            return process;
        }
        return process.withSteps(process.steps().stream().map(step -> {
            if (!"SUCCEEDED".equals(step.state()) || step.outputManifest() == null) {
                return step;
            }
            try {
                return snapshots.committedOutput(step.outputManifest())
                        .map(m -> step.withOutcome(m.quality(), m.rejected())).orElse(step);
            } catch (RuntimeException e) {
                return step; // storage trouble costs these details, never the status itself
            }
        }).toList());
    }

    /** A FAILED step shows the last lines of its last attempt's log: the reason is usually there. */
    private ProcessViews.ProcessView withFailedStepLogTails(ProcessViews.ProcessView process) {
        if (process.steps() == null || process.steps().stream().noneMatch(s -> "FAILED".equals(s.state()))) {
            return process;
        }
        return process.withSteps(process.steps().stream().map(step -> {
            if (!"FAILED".equals(step.state()) || step.attemptHistory().isEmpty()) {
                return step;
            }
            int attempt = step.attemptHistory().get(step.attemptHistory().size() - 1).attempt();
            String key = StorageLayout.driverLogKey(process.tenant(), process.id(), step.step(), attempt);
            try {
                return logs.tail(key, LOG_TAIL_LINES, LOG_TAIL_BYTES).map(step::withLogTail).orElse(step);
            } catch (RuntimeException e) {
                return step; // storage trouble costs the tail, never the status itself
            }
        }).toList());
    }

    @Get(produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> list(HttpRequest<?> request, @QueryValue @Nullable String entity,
                                @QueryValue @Nullable String state, @QueryValue @Nullable String limit,
                                @QueryValue @Nullable String cursor) {
        String tenant = authenticator.tenantOf(request);
        int size = 20;
        if (limit != null) {
            try {
                size = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 1 || size > 100) {
                throw RequestRejected.badRequest("limit", "must be a whole number from 1 to 100");
            }
        }
        if (state != null && Arrays.stream(ProcessState.values()).noneMatch(s -> s.name().equals(state))) {
            throw RequestRejected.badRequest("state", "unknown state; known: " + Arrays.toString(ProcessState.values()));
        }
        return bodies.ok(queries.list(tenant, entity, state, size, cursor));
    }

    @Post(uri = "/{id}/cancel", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> cancel(HttpRequest<?> request, @PathVariable String id, @Body @Nullable byte[] body) {
        String tenant = authenticator.tenantOf(request);
        UUID processId = parseId(id);
        String reason = body == null || body.length == 0 ? null : bodies.read(request, body, CancelProcess.class).reason();
        return switch (canceller.cancel(tenant, processId, reason)) {
            case NOT_FOUND -> notFound(id);
            case CANCELLED -> bodies.json(HttpResponse.status(HttpStatus.ACCEPTED), queries.find(tenant, processId).orElseThrow());
            case ALREADY_CANCELLED -> bodies.ok(queries.find(tenant, processId).orElseThrow());
        };
    }

    private static UUID parseId(String id) {
        try {
            UUID uuid = UUID.fromString(id);
            if (uuid.toString().equals(id.toLowerCase(java.util.Locale.ROOT))) {
                return uuid;
            }
        } catch (IllegalArgumentException e) {
            // a malformed id names no process: 404 like any other unknown id
        }
        throw new RequestRejected(404, "Not found", "not_found", "id", "no process " + id);
    }

    private static HttpResponse<?> notFound(String id) {
        return Problem.response(HttpStatus.NOT_FOUND, "Not found", "no process " + id, "id");
    }
}
