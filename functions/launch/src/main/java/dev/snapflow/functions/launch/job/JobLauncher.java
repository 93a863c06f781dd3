package dev.snapflow.functions.launch.job;

import dev.snapflow.contracts.events.JobRequested;
import dev.snapflow.functions.launch.backend.CancelOutcome;
import dev.snapflow.functions.launch.backend.JobBackend;
import dev.snapflow.functions.launch.backend.JobLaunch;
import dev.snapflow.functions.launch.backend.JobProfile;
import dev.snapflow.functions.launch.backend.LaunchOutcome;
import dev.snapflow.functions.shared.security.JobTokens;

import java.time.Duration;
import java.util.Optional;

/**
 * What launch does with a job request: find how its action runs, mint the job's callback token (HMAC of job id
 * and attempt, so a redelivery mints the same token) and start it through the backend.
 */
public final class JobLauncher {
    private final JobProfiles profiles;
    private final JobTokens tokens;
    private final JobBackend backend;

    public JobLauncher(JobProfiles profiles, JobTokens tokens, JobBackend backend) {
        this.profiles = profiles;
        this.tokens = tokens;
        this.backend = backend;
    }

    /**
     * @param startedBefore the request was re-driven by callback's reconciler for an attempt seen running: only
     *                      say what became of the job ({@link JobBackend#probe}), never start it again
     * @param traceparent   the trace context the job continues (its reports are children of it); null for none
     */
    public LaunchOutcome launch(JobRequested request, boolean startedBefore, String traceparent) {
        String action = request.arguments().action();
        Optional<JobProfile> profile = profiles.profileFor(action, Duration.ofSeconds(request.timeoutSeconds()));
        if (profile.isEmpty()) {
            return new LaunchOutcome.Rejected("action '" + action + "' is not in launch's action catalog");
        }
        String token = tokens.mint(request.id(), request.attempt());
        JobLaunch launch = new JobLaunch(request.arguments(), profile.get(), token, traceparent);
        return startedBefore ? backend.probe(launch) : backend.launch(launch);
    }

    public CancelOutcome cancelProcess(String processId) {
        return backend.cancelProcess(processId);
    }
}
