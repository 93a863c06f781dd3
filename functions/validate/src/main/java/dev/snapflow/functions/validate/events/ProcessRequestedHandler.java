package dev.snapflow.functions.validate.events;

import dev.snapflow.contracts.events.ProcessRequested;
import dev.snapflow.functions.shared.events.TypedEventHandler;
import dev.snapflow.functions.shared.events.HandlingOutcome;
import dev.snapflow.functions.validate.accept.AcceptedProcess;
import dev.snapflow.functions.validate.accept.Origin;
import dev.snapflow.functions.validate.accept.ProcessAcceptor;
import dev.snapflow.functions.validate.accept.RequestRejected;
import dev.snapflow.functions.validate.senders.SenderCheck;
import io.cloudevents.CloudEvent;
import jakarta.inject.Singleton;

import java.util.Optional;


/**
 * process.requested: the same validation as {@code POST /v1/processes}. Through the broker or Kafka the event must
 * be signed by a sender registered for its tenant ({@link SenderCheck}); {@code POST /v1/events} authenticates it
 * with the tenant's API key and calls {@link #requestProcess} directly. Without an idempotency key, the event's
 * source and id stand in for one ({@link EventIdempotencyKeys}), so a redelivered event names the process it already
 * created. An invalid request is rejected (dead letter / HTTP 400) with the same field-naming reason the API would give.
 */
@Singleton
public class ProcessRequestedHandler extends TypedEventHandler<ProcessRequested> {
    private final ProcessAcceptor acceptor;
    private final SenderCheck senders;

    public ProcessRequestedHandler(ProcessAcceptor acceptor, SenderCheck senders) {
        super(ProcessRequested.class);
        this.acceptor = acceptor;
        this.senders = senders;
    }

    @Override
    protected HandlingOutcome handle(ProcessRequested requested, CloudEvent event) {
        Optional<SenderCheck.Refusal> refusal = senders.refusal(event, requested.tenant());
        if (refusal.isPresent()) {
            return HandlingOutcome.reject(refusal.get().reason());
        }
        try {
            requestProcess(requested, event);
            return HandlingOutcome.done();
        } catch (RequestRejected e) {
            return HandlingOutcome.reject(e.status() + " " + e.getMessage());
        }
    }

    /**
     * Accepts the requested process for an event whose sender is already known to act for {@code requested.tenant()}.
     *
     * @throws RequestRejected as {@link ProcessAcceptor#accept} does
     */
    public AcceptedProcess requestProcess(ProcessRequested requested, CloudEvent event) {
        return acceptor.accept(requested.tenant(), ProcessAcceptor.fromEvent(requested),
                EventIdempotencyKeys.of(requested, event), Origin.EVENT);
    }
}
