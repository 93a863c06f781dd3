package dev.snapflow.functions.launch.events;

import dev.snapflow.contracts.events.ProcessCancelled;
import dev.snapflow.functions.launch.backend.CancelOutcome;
import dev.snapflow.functions.launch.job.JobLauncher;
import dev.snapflow.functions.shared.events.TypedEventHandler;
import dev.snapflow.functions.shared.events.HandlingOutcome;
import io.cloudevents.CloudEvent;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/** process.cancelled: stop the process's running jobs. Nothing is reported: callback already knows it is cancelled. */
@Singleton
public class ProcessCancelledHandler extends TypedEventHandler<ProcessCancelled> {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessCancelledHandler.class);

    private final JobLauncher launcher;

    public ProcessCancelledHandler(JobLauncher launcher) {
        super(ProcessCancelled.class);
        this.launcher = launcher;
    }

    @Override
    protected HandlingOutcome handle(ProcessCancelled cancelled, CloudEvent event) {
        CancelOutcome outcome = launcher.cancelProcess(cancelled.processId());
        LOG.info("process {} cancelled: stopped {}", cancelled.processId(), outcome.stopped());
        return HandlingOutcome.done();
    }
}
