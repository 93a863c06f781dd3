package dev.snapflow.functions.callback.status;

import dev.snapflow.contracts.events.EventTypes;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.InvalidEventException;
import dev.snapflow.contracts.events.JobLaunched;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.functions.shared.events.EventHandler;
import dev.snapflow.functions.shared.events.HandlingOutcome;
import io.cloudevents.CloudEvent;
import jakarta.inject.Singleton;

import java.util.Set;

/**
 * job.status (from launch: launch failures, and the Kubernetes watcher's view of a job that could not report
 * itself) goes through the same {@link StatusReports} as the jobs' own HTTP reports; job.launched records
 * the launch. These come over the broker from launch, which is trusted: no job token.
 */
@Singleton
public class JobEventsHandler implements EventHandler {
    private final StatusReports reports;

    public JobEventsHandler(StatusReports reports) {
        this.reports = reports;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(EventTypes.JOB_STATUS, EventTypes.JOB_LAUNCHED);
    }

    @Override
    public HandlingOutcome handle(CloudEvent event) {
        try {
            if (EventTypes.JOB_LAUNCHED.equals(event.getType())) {
                JobLaunched launched = Events.read(event, JobLaunched.class);
                ReportOutcome outcome = reports.launched(launched.id(), launched.backend(), launched.backendRef(),
                        launched.launchedAt());
                return outcome == ReportOutcome.UNKNOWN_JOB
                        ? HandlingOutcome.reject("unknown job " + launched.jobId()) : HandlingOutcome.done();
            }
            JobStatusReport report = Events.read(event, JobStatusReport.class);
            if (report.attempt() != new JobId(report.jobId()).attempt()) {
                return HandlingOutcome.reject("attempt " + report.attempt() + " does not match job " + report.jobId());
            }
            return reports.apply(report) == ReportOutcome.UNKNOWN_JOB
                    ? HandlingOutcome.reject("unknown job " + report.jobId()) : HandlingOutcome.done();
        } catch (InvalidEventException e) {
            return HandlingOutcome.reject(e.getMessage());
        }
    }
}
