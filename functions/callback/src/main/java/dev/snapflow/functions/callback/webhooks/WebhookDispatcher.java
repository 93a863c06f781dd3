package dev.snapflow.functions.callback.webhooks;

import dev.snapflow.functions.callback.CallbackConfiguration;
import dev.snapflow.functions.shared.domain.RetryPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Delivers due webhooks on its own bounded pool, never on the thread that handled the event or report: that
 * thread only writes the delivery row (in its transaction) and {@link #wake}s this.
 *
 * <p>One dispatcher thread fills free workers in rounds: each round lists the tenants with a delivery ready
 * and, starting after the tenant served last, claims at most one delivery per tenant, skipping tenants that
 * already have {@code webhookInFlightPerTenant} calls in flight (counted in the database, so across replicas).
 * A tenant with a thousand due deliveries and a tenant with one are served alike, and a tenant whose receiver
 * hangs holds at most its own share of the workers. Claims are leases ({@link WebhookDeliveryRows}): a crash
 * mid-call leaves the row to be claimed again once the lease runs out (at-least-once; the webhook-id stays the
 * same, so receivers deduplicate).
 *
 * <p>Every failed call ends in the row ({@code last_error}, {@code last_status}), a metric
 * ({@code snapflow_webhooks_failures_total{error}}) and either a retry after backoff or {@code gave_up_at}: after
 * the last attempt, past the give-up deadline, or at once for a refused address.
 */
@Context
public class WebhookDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);

    private final WebhookDeliveryRows rows;
    private final WebhookCaller caller;
    private final CallbackConfiguration config;
    private final MeterRegistry meters;
    private final WebhookTraces traces;
    private final RetryPolicy backoff;
    private final Duration lease;
    private final Semaphore freeWorkers;
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private final ScheduledExecutorService dispatcher;
    private final ExecutorService workers;
    /** Round-robin position: the tenant served last (touched only on the dispatcher thread). */
    private String lastServed = "";

    public WebhookDispatcher(WebhookDeliveryRows rows, WebhookCaller caller, CallbackConfiguration config,
                             MeterRegistry meters, WebhookTraces traces) {
        this.rows = rows;
        this.traces = traces;
        this.caller = caller;
        this.config = config;
        this.meters = meters;
        this.backoff = new RetryPolicy(config.webhookBaseDelay(), config.webhookMaxDelay());
        // Longer than any call can take (DNS, connect and the total deadline all fit in twice the timeout).
        this.lease = config.webhookTimeout().multipliedBy(2).plusSeconds(30);
        this.freeWorkers = new Semaphore(config.webhookWorkers());
        this.dispatcher = Executors.newSingleThreadScheduledExecutor(named("webhook-dispatcher"));
        this.workers = Executors.newFixedThreadPool(config.webhookWorkers(), named("webhook-delivery"));
        meters.gauge("snapflow.webhooks.in_flight", busy);
        dispatcher.scheduleWithFixedDelay(this::fillQuietly, config.webhookPollInterval().toMillis(),
                config.webhookPollInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Look for due deliveries now (after a commit that added one, or a worker came free); returns at once. */
    public void wake() {
        if (wakeQueued.compareAndSet(false, true)) {
            try {
                dispatcher.execute(() -> {
                    wakeQueued.set(false);
                    fillQuietly();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                wakeQueued.set(false); // shutting down
            }
        }
    }

    private void fillQuietly() {
        try {
            fill();
        } catch (RuntimeException e) {
            meters.counter("snapflow.webhooks.dispatch_failures").increment();
            LOG.warn("webhook dispatch pass failed; the next pass retries: {}", e.getMessage());
        }
    }

    private void fill() {
        while (freeWorkers.availablePermits() > 0) {
            List<WebhookDeliveryRows.DueTenant> due = rows.dueTenants();
            if (due.isEmpty()) {
                return;
            }
            boolean claimedAny = false;
            for (WebhookDeliveryRows.DueTenant tenant : roundRobin(due)) {
                if (tenant.inFlight() >= config.webhookInFlightPerTenant()) {
                    continue;
                }
                if (!freeWorkers.tryAcquire()) {
                    return;
                }
                Optional<WebhookDeliveryRows.Claimed> claimed;
                try {
                    claimed = rows.claimNext(tenant.tenant(), lease);
                } catch (RuntimeException e) {
                    freeWorkers.release();
                    throw e;
                }
                if (claimed.isEmpty()) {
                    freeWorkers.release();
                    continue;
                }
                lastServed = tenant.tenant();
                claimedAny = true;
                busy.incrementAndGet();
                workers.execute(() -> {
                    try {
                        deliver(claimed.get());
                    } finally {
                        busy.decrementAndGet();
                        freeWorkers.release();
                        wake();
                    }
                });
            }
            if (!claimedAny) {
                return;
            }
        }
    }

    /** The tenants after the one served last first, then from the start: no tenant is always first. */
    private List<WebhookDeliveryRows.DueTenant> roundRobin(List<WebhookDeliveryRows.DueTenant> due) {
        List<WebhookDeliveryRows.DueTenant> ordered = new ArrayList<>();
        due.stream().filter(t -> t.tenant().compareTo(lastServed) > 0).forEach(ordered::add);
        due.stream().filter(t -> t.tenant().compareTo(lastServed) <= 0).forEach(ordered::add);
        return ordered;
    }

    private void deliver(WebhookDeliveryRows.Claimed delivery) {
        try {
            Instant deadline = delivery.createdAt().plus(config.webhookGiveUpAfter());
            WebhookCaller.CallResult result;
            if (delivery.attempts() > config.webhookMaxAttempts()) {
                result = WebhookCaller.CallResult.failed(null, DeliveryError.WORKER_LOST, "the worker holding attempt "
                        + config.webhookMaxAttempts() + " (the last) stopped before recording its outcome");
            } else if (Instant.now().isAfter(deadline)) {
                result = WebhookCaller.CallResult.failed(null, DeliveryError.DEADLINE_PASSED,
                        "not delivered within " + config.webhookGiveUpAfter());
            } else {
                Span span = traces.startCall(delivery.id(), delivery.tenant(), delivery.url());
                try (Scope ignored = span.makeCurrent()) {
                    result = caller.call(delivery.url(), delivery.id(), delivery.payload(), delivery.secret());
                }
                traces.end(span, delivery.id(), result);
            }
            record(delivery, result, deadline);
        } catch (RuntimeException e) {
            // The lease runs out and the row is claimed again: nothing is lost.
            meters.counter("snapflow.webhooks.dispatch_failures").increment();
            LOG.warn("webhook {}: could not record the outcome of attempt {} ({}); it is retried when its lease ends",
                    delivery.id(), delivery.attempts(), e.getMessage());
        }
    }

    private void record(WebhookDeliveryRows.Claimed delivery, WebhookCaller.CallResult result, Instant deadline) {
        if (result.delivered()) {
            if (rows.markDelivered(delivery, result.status())) {
                meters.counter("snapflow.webhooks", "outcome", "delivered").increment();
            } else {
                leaseLost(delivery);
            }
            return;
        }
        Instant next = Instant.now().plus(backoff.delayAfter(delivery.attempts()));
        boolean giveUp = result.error().permanent() || delivery.attempts() >= config.webhookMaxAttempts()
                || next.isAfter(deadline);
        meters.counter("snapflow.webhooks.failures", "error", result.error().code()).increment();
        if (!rows.markFailed(delivery, result.status(), result.describe(), giveUp ? null : next)) {
            leaseLost(delivery);
            return;
        }
        meters.counter("snapflow.webhooks", "outcome", giveUp ? "gave_up" : "retry").increment();
        // The URL stays out of the log: a tenant may have put a token in it.
        LOG.info("webhook {} of tenant {} failed (attempt {}): {}{}", delivery.id(), delivery.tenant(),
                delivery.attempts(), result.describe(), giveUp ? "; giving up" : "; retrying at " + next);
    }

    private void leaseLost(WebhookDeliveryRows.Claimed delivery) {
        meters.counter("snapflow.webhooks", "outcome", "lease_lost").increment();
        LOG.warn("webhook {}: its lease ran out during attempt {}; another worker has it now", delivery.id(),
                delivery.attempts());
    }

    @PreDestroy
    void stop() throws InterruptedException {
        dispatcher.shutdownNow();
        workers.shutdown();
        // Calls still running are cut; their rows come back when their leases end.
        if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
            workers.shutdownNow();
        }
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
