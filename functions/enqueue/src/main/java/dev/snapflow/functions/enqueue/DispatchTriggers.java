package dev.snapflow.functions.enqueue;

import dev.snapflow.contracts.events.EventTypes;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.InvalidEventException;
import dev.snapflow.contracts.events.ProcessAccepted;
import dev.snapflow.contracts.events.ProcessCancelled;
import dev.snapflow.contracts.events.StepCompleted;
import dev.snapflow.functions.shared.events.EventHandler;
import dev.snapflow.functions.shared.events.HandlingOutcome;
import io.cloudevents.CloudEvent;
import jakarta.inject.Singleton;

import java.util.Set;
import java.util.UUID;

/**
 * The events after which a tenant may have work to start: a process was accepted (queue its first step), a step
 * completed (its slot is free; callback has queued the next step or the retry), a process was cancelled (its
 * slots are free). Each is idempotent: dispatching twice starts nothing twice.
 */
@Singleton
public class DispatchTriggers implements EventHandler {
    private final JobDispatcher dispatcher;

    public DispatchTriggers(JobDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(EventTypes.PROCESS_ACCEPTED, EventTypes.STEP_COMPLETED, EventTypes.PROCESS_CANCELLED);
    }

    @Override
    public HandlingOutcome handle(CloudEvent event) {
        Object data;
        try {
            data = Events.read(event);
        } catch (InvalidEventException e) {
            return HandlingOutcome.reject(e.getMessage());
        }
        return switch (data) {
            case ProcessAccepted accepted -> dispatcher.queueAccepted(UUID.fromString(accepted.processId()))
                    ? HandlingOutcome.done()
                    : HandlingOutcome.reject("process " + accepted.processId() + " does not exist");
            case StepCompleted completed -> {
                dispatcher.dispatch(completed.tenant());
                yield HandlingOutcome.done();
            }
            case ProcessCancelled cancelled -> {
                dispatcher.dispatch(cancelled.tenant());
                yield HandlingOutcome.done();
            }
            default -> HandlingOutcome.reject("enqueue does not handle " + event.getType());
        };
    }
}
