package dev.snapflow.functions.launch.backend;

import dev.snapflow.contracts.jobs.JobArguments;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** Job launches for backend tests. */
public final class TestJobs {
    public static final ResourceProfile SMALL = new ResourceProfile(1, 128, 2, 1, 512);

    private TestJobs() {
    }

    public static JobArguments arguments(String processId, int step, int attempt, String paramsJson) {
        return arguments(processId, step, attempt, "clean", paramsJson);
    }

    public static JobArguments arguments(String processId, int step, int attempt, String action, String paramsJson) {
        return new JobArguments("acme", "orders", "v1", action, paramsJson,
                "s3://snapflow/acme/orders/v1/bronze/_manifest.json", "s3://snapflow/acme/orders/v1/silver/out-1/",
                processId, step, attempt, "http://callback.snapflow.svc/v1/jobs/x/status");
    }

    public static JobLaunch scripted(String behaviour, Duration timeout) {
        return scripted(UUID.randomUUID().toString(), behaviour, timeout);
    }

    public static JobLaunch scripted(String processId, String behaviour, Duration timeout) {
        JobProfile profile = new JobProfile("ghcr.io/snapflow/spark-jobs:test", ScriptedJob.class.getName(),
                List.of(), SMALL, timeout);
        return new JobLaunch(arguments(processId, 1, 1, "{\"behaviour\":\"" + behaviour + "\"}"), profile,
                "token-" + processId);
    }
}
