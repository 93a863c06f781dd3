package dev.snapflow.functions.launch.backend.kubernetes;

/** Label and annotation keys on everything the Kubernetes backend creates: how it finds its own objects again. */
final class SnapflowLabels {
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String MANAGER = "snapflow";
    static final String NAME = "app.kubernetes.io/name";
    static final String TENANT = "snapflow.dev/tenant";
    static final String ENTITY = "snapflow.dev/entity";
    static final String PROCESS = "snapflow.dev/process";
    static final String STEP = "snapflow.dev/step";
    static final String ATTEMPT = "snapflow.dev/attempt";
    static final String ACTION = "snapflow.dev/action";
    static final String JOB_ID = "snapflow.dev/job-id";
    static final String ROLE = "snapflow.dev/role";
    static final String DRIVER = "driver";
    /** Set on a Job once its failure was reported, so that a restarted watcher does not report it again. */
    static final String REPORTED = "snapflow.dev/reported";

    private SnapflowLabels() {
    }
}
