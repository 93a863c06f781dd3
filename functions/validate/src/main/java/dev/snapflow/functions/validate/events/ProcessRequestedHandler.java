package dev.snapflow.functions.validate.events;

import dev.snapflow.contracts.events.ProcessRequested;
import dev.snapflow.functions.shared.events.TypedEventHandler;
import dev.snapflow.functions.shared.events.HandlingOutcome;
import dev.snapflow.functions.validate.accept.Origin;
import dev.snapflow.functions.validate.accept.ProcessAcceptor;
import dev.snapflow.functions.validate.accept.RequestRejected;
import io.cloudevents.CloudEvent;
import jakarta.inject.Singleton;


/**
 * process.requested: the same validation as {@code POST /v1/processes}. Without an idempotency key, the event's
 * source and id stand in for one, so a redelivered event names the process it already created. An invalid
 * request is rejected (dead letter / HTTP 400) with the same field-naming reason the API would give.
 */
@Singleton
public class ProcessRequestedHandler extends TypedEventHandler<ProcessRequested> {
    private final ProcessAcceptor acceptor;
    private final TenantExistence tenants;

    public ProcessRequestedHandler(ProcessAcceptor acceptor, TenantExistence tenants) {
        super(ProcessRequested.class);
        this.acceptor = acceptor;
        this.tenants = tenants;
    }

    @Override
    protected HandlingOutcome handle(ProcessRequested requested, CloudEvent event) {
        if (!tenants.exists(requested.tenant())) {
            return HandlingOutcome.reject("tenant: unknown tenant '" + requested.tenant() + "'");
        }
        String key = requested.idempotencyKey() != null ? requested.idempotencyKey()
                : "event:" + event.getSource() + ":" + event.getId();
        try {
            acceptor.accept(requested.tenant(), ProcessAcceptor.fromEvent(requested),
                    key.length() > ProcessRequested.MAX_IDEMPOTENCY_KEY_LENGTH ? key.substring(0, ProcessRequested.MAX_IDEMPOTENCY_KEY_LENGTH) : key,
                    Origin.EVENT);
            return HandlingOutcome.done();
        } catch (RequestRejected e) {
            return HandlingOutcome.reject(e.status() + " " + e.getMessage());
        }
    }
}
