package dev.snapflow.functions.enqueue;

import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts queued steps that no event will announce: retries whose backoff has ended, and anything a lost
 * trigger left waiting. Cheap when there is nothing to do (one indexed query).
 */
@Singleton
public class DispatchSweep {
    private static final Logger LOG = LoggerFactory.getLogger(DispatchSweep.class);
    private final JobDispatcher dispatcher;

    public DispatchSweep(JobDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Scheduled(fixedDelay = "${snapflow.enqueue.sweep-interval:1s}", initialDelay = "2s")
    void sweep() {
        try {
            // Each tenant is dispatched in isolation (a failing one is logged and counted there); this catches only
            // a failure to list the tenants, e.g. the database being down.
            dispatcher.dispatchAllReady();
        } catch (RuntimeException e) {
            LOG.warn("dispatch sweep failed; next sweep retries: {}", e.getMessage());
        }
    }
}
