package dev.snapflow.functions.callback.reconcile;

import dev.snapflow.functions.shared.events.EventHandler;
import dev.snapflow.functions.shared.events.HandlingOutcome;
import io.cloudevents.CloudEvent;
import jakarta.inject.Singleton;

import java.util.Set;

/**
 * The PingSource's tick (knative/base/eventing/reconcile-tick.yaml): on Knative callback scales to zero, and
 * this event both wakes it and runs one reconcile sweep, so overdue attempts are looked into even when nothing
 * else happens. Its sender is authenticated like every delivery (the PingSource's OIDC identity).
 */
@Singleton
public class ReconcileTick implements EventHandler {
    /** The type Knative's PingSource gives its events. */
    public static final String PING_TYPE = "dev.knative.sources.ping";

    private final Reconciler reconciler;

    public ReconcileTick(Reconciler reconciler) {
        this.reconciler = reconciler;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(PING_TYPE);
    }

    @Override
    public HandlingOutcome handle(CloudEvent tick) {
        reconciler.sweep();
        return HandlingOutcome.done();
    }
}
