package dev.snapflow.functions.launch.events;

import dev.snapflow.contracts.events.EventTypes;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.InvalidEventException;
import dev.snapflow.contracts.events.ProcessCancelled;
import dev.snapflow.functions.launch.backend.CancelOutcome;
import dev.snapflow.functions.launch.job.JobLauncher;
import dev.snapflow.functions.shared.events.EventHandler;
import dev.snapflow.functions.shared.events.HandlingOutcome;
import io.cloudevents.CloudEvent;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/** process.cancelled: stop the process's running jobs. Nothing is reported: callback already knows it is cancelled. */
@Singleton
public class ProcessCancelledHandler implements EventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessCancelledHandler.class);

    private final JobLauncher launcher;

    public ProcessCancelledHandler(JobLauncher launcher) {
        this.launcher = launcher;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(EventTypes.PROCESS_CANCELLED);
    }

    @Override
    public HandlingOutcome handle(CloudEvent event) {
        ProcessCancelled cancelled;
        try {
            cancelled = Events.read(event, ProcessCancelled.class);
        } catch (InvalidEventException e) {
            return HandlingOutcome.reject(e.getMessage());
        }
        CancelOutcome outcome = launcher.cancelProcess(cancelled.processId());
        LOG.info("process {} cancelled: stopped {}", cancelled.processId(), outcome.stopped());
        return HandlingOutcome.done();
    }
}
