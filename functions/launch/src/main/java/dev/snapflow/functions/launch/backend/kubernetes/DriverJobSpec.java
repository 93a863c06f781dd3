package dev.snapflow.functions.launch.backend.kubernetes;

import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.functions.launch.backend.JobLaunch;
import dev.snapflow.functions.launch.backend.ResourceProfile;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes objects of one job: a batch/v1 Job running the Spark driver in client mode against the
 * in-cluster API, a headless Service through which executors reach the driver, and a Secret with the job's
 * callback token (and the storage keys, when there are any). Everything is named after the job id, so launching the same job again names the same objects.
 */
final class DriverJobSpec {
    static final String CONTAINER = "driver";
    static final String TOKEN_KEY = "callback-token";
    static final int DRIVER_PORT = 7078;
    static final int BLOCK_MANAGER_PORT = 7079;
    static final String SPARK_LOCAL_DIR = "/var/data/spark-local";
    static final String POD_NAME_ENV = "SNAPFLOW_DRIVER_POD_NAME";
    static final long SPARK_UID = 185;
    private static final String SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

    private final KubernetesSettings settings;

    DriverJobSpec(KubernetesSettings settings) {
        this.settings = settings;
    }

    static String jobName(JobId jobId) {
        return jobId.value();
    }

    static String serviceName(JobId jobId) {
        return jobId.value() + "-driver";
    }

    static String secretName(JobId jobId) {
        return jobId.value() + "-secret";
    }

    String driverHost(JobId jobId) {
        return serviceName(jobId) + "." + settings.namespace() + ".svc";
    }

    Map<String, String> labels(JobArguments arguments) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(SnapflowLabels.MANAGED_BY, SnapflowLabels.MANAGER);
        labels.put(SnapflowLabels.NAME, "snapflow-job");
        labels.put(SnapflowLabels.TENANT, arguments.tenant());
        labels.put(SnapflowLabels.ENTITY, arguments.entity());
        labels.put(SnapflowLabels.PROCESS, arguments.processId());
        labels.put(SnapflowLabels.STEP, Integer.toString(arguments.step()));
        labels.put(SnapflowLabels.ATTEMPT, Integer.toString(arguments.attempt()));
        labels.put(SnapflowLabels.ACTION, arguments.action());
        labels.put(SnapflowLabels.JOB_ID, arguments.jobId().value());
        return labels;
    }

    /** Created suspended: its Secret and Service must exist, owned by it, before its pod may start. */
    Job job(JobLaunch launch) {
        JobId jobId = launch.jobId();
        Map<String, String> labels = labels(launch.arguments());
        Map<String, String> podLabels = new LinkedHashMap<>(labels);
        podLabels.put(SnapflowLabels.ROLE, SnapflowLabels.DRIVER);
        return new JobBuilder()
                .withNewMetadata()
                    .withName(jobName(jobId))
                    .withNamespace(settings.namespace())
                    .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                    .withSuspend(true)
                    // Retries are the control plane's: each attempt is a new job id.
                    .withBackoffLimit(0)
                    .withActiveDeadlineSeconds(launch.profile().timeout().toSeconds())
                    .withTtlSecondsAfterFinished((int) settings.ttlAfterFinished().toSeconds())
                    .withNewTemplate()
                        .withNewMetadata().withLabels(podLabels).endMetadata()
                        .withNewSpec()
                            .withRestartPolicy("Never")
                            .withServiceAccountName(settings.serviceAccount())
                            .withNewSecurityContext()
                                .withRunAsNonRoot(true)
                                .withRunAsUser(SPARK_UID)
                                .withRunAsGroup(SPARK_UID)
                                .withFsGroup(SPARK_UID)
                                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .endSecurityContext()
                            .withContainers(container(launch))
                            .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                            .addNewVolume().withName("spark-local").withNewEmptyDir().endEmptyDir().endVolume()
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }

    Secret tokenSecret(JobLaunch launch, Job owner) {
        return new SecretBuilder()
                .withNewMetadata()
                    .withName(secretName(launch.jobId()))
                    .withNamespace(settings.namespace())
                    .withLabels(labels(launch.arguments()))
                    .withOwnerReferences(ownedBy(owner))
                .endMetadata()
                .withType("Opaque")
                .addToData(TOKEN_KEY, base64(launch.callbackToken()))
                .addToData(settings.jobSecrets().entrySet().stream()
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, entry -> base64(entry.getValue()))))
                .build();
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    Service driverService(JobLaunch launch, Job owner) {
        JobId jobId = launch.jobId();
        return new ServiceBuilder()
                .withNewMetadata()
                    .withName(serviceName(jobId))
                    .withNamespace(settings.namespace())
                    .withLabels(labels(launch.arguments()))
                    .withOwnerReferences(ownedBy(owner))
                .endMetadata()
                .withNewSpec()
                    .withClusterIP("None")
                    .withPublishNotReadyAddresses(true)
                    .addToSelector(SnapflowLabels.JOB_ID, jobId.value())
                    .addToSelector(SnapflowLabels.ROLE, SnapflowLabels.DRIVER)
                    .addNewPort().withName("driver-rpc").withPort(DRIVER_PORT).withNewTargetPort(DRIVER_PORT).endPort()
                    .addNewPort().withName("blockmanager").withPort(BLOCK_MANAGER_PORT)
                        .withNewTargetPort(BLOCK_MANAGER_PORT).endPort()
                .endSpec()
                .build();
    }

    /** Deleting the Job deletes what it owns (garbage collection), pods included. */
    static OwnerReference ownedBy(Job owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion("batch/v1")
                .withKind("Job")
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withBlockOwnerDeletion(true)
                .withController(false)
                .build();
    }

    private Container container(JobLaunch launch) {
        ResourceProfile resources = launch.profile().resources();
        Map<String, Quantity> requests = Map.of(
                "cpu", new Quantity(Integer.toString(resources.driverCores())),
                "memory", new Quantity(resources.driverContainerMemoryMb() + "Mi"));
        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(launch.profile().image())
                .withImagePullPolicy(settings.imagePullPolicy())
                .withCommand(settings.sparkSubmit())
                .withArgs(sparkSubmitArgs(launch))
                .withEnv(environment(launch))
                .addNewPort().withName("driver-rpc").withContainerPort(DRIVER_PORT).endPort()
                .addNewPort().withName("blockmanager").withContainerPort(BLOCK_MANAGER_PORT).endPort()
                .withNewResources().withRequests(requests).withLimits(requests).endResources()
                .withNewSecurityContext()
                    .withAllowPrivilegeEscalation(false)
                    .withReadOnlyRootFilesystem(true)
                    .withRunAsNonRoot(true)
                    .withRunAsUser(SPARK_UID)
                    .withPrivileged(false)
                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .addNewVolumeMount().withName("spark-local").withMountPath(SPARK_LOCAL_DIR).endVolumeMount()
                .build();
    }

    List<String> sparkSubmitArgs(JobLaunch launch) {
        JobId jobId = launch.jobId();
        ResourceProfile resources = launch.profile().resources();
        List<String> args = new ArrayList<>(List.of(
                "--master", "k8s://https://kubernetes.default.svc",
                "--deploy-mode", "client",
                "--name", jobId.value(),
                "--class", launch.profile().mainClass(),
                "--driver-memory", resources.driverMemoryMb() + "m"));
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("spark.driver.host", driverHost(jobId));
        conf.put("spark.driver.bindAddress", "0.0.0.0");
        conf.put("spark.driver.port", Integer.toString(DRIVER_PORT));
        conf.put("spark.driver.blockManager.port", Integer.toString(BLOCK_MANAGER_PORT));
        conf.put("spark.driver.memoryOverhead", resources.driverOverheadMb() + "m");
        conf.put("spark.kubernetes.namespace", settings.namespace());
        conf.put("spark.kubernetes.container.image", launch.profile().image());
        conf.put("spark.kubernetes.container.image.pullPolicy", settings.imagePullPolicy());
        // Kubernetes expands $(VAR) in args from the container's env: executors get the driver pod as owner.
        conf.put("spark.kubernetes.driver.pod.name", "$(" + POD_NAME_ENV + ")");
        conf.put("spark.kubernetes.executor.podNamePrefix", jobId.value());
        conf.put("spark.kubernetes.authenticate.caCertFile", SERVICE_ACCOUNT_DIR + "/ca.crt");
        conf.put("spark.kubernetes.authenticate.oauthTokenFile", SERVICE_ACCOUNT_DIR + "/token");
        conf.put("spark.executor.instances", Integer.toString(resources.executorInstances()));
        conf.put("spark.executor.cores", Integer.toString(resources.executorCores()));
        conf.put("spark.executor.memory", resources.executorMemoryMb() + "m");
        conf.put("spark.executor.memoryOverhead", resources.executorOverheadMb() + "m");
        conf.put("spark.kubernetes.executor.request.cores", Integer.toString(resources.executorCores()));
        conf.put("spark.kubernetes.executor.limit.cores", Integer.toString(resources.executorCores()));
        labels(launch.arguments()).forEach((key, value) -> conf.put("spark.kubernetes.executor.label." + key, value));
        conf.put("spark.kubernetes.executor.label." + SnapflowLabels.ROLE, "executor");
        settings.jobEnvironment().forEach((name, value) -> conf.put("spark.executorEnv." + name, value));
        settings.jobSecrets().keySet().stream().sorted().forEach(name ->
                conf.put("spark.kubernetes.executor.secretKeyRef." + name, secretName(jobId) + ":" + name));
        conf.put("spark.local.dir", SPARK_LOCAL_DIR);
        conf.put("spark.ui.enabled", "false");
        conf.forEach((key, value) -> {
            args.add("--conf");
            args.add(key + "=" + value);
        });
        args.add(settings.applicationJar());
        args.addAll(launch.profile().fixedArgs());
        // The job's arguments carry tenants' data (params with regexes, in_set values, ...). Kubernetes expands
        // $(VAR) in args from the container's env and turns $$ into $, so a '$' would change on the way and
        // $(AWS_SECRET_ACCESS_KEY) would put a secret into the job's params: every '$' is escaped.
        launch.arguments().toArgs().forEach(arg -> args.add(escapeExpansion(arg)));
        return args;
    }

    /**
     * {@code value} as a container arg or env value that Kubernetes' {@code $(VAR)} expansion turns back into
     * exactly {@code value}: {@code $$} always expands to a literal {@code $}, so every {@code $} is doubled.
     */
    static String escapeExpansion(String value) {
        return value.replace("$", "$$");
    }

    private List<EnvVar> environment(JobLaunch launch) {
        List<EnvVar> env = new ArrayList<>();
        String secret = secretName(launch.jobId());
        env.add(secretEnv(JobArguments.CALLBACK_TOKEN_ENV, secret, TOKEN_KEY));
        env.add(new EnvVarBuilder().withName(POD_NAME_ENV)
                .withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom()
                .build());
        env.add(new EnvVar("SPARK_LOCAL_DIRS", SPARK_LOCAL_DIR, null));
        // The root file system is read-only: anything that writes under $HOME writes to the emptyDir.
        env.add(new EnvVar("HOME", "/tmp", null));
        if (launch.traceparent() != null) {
            env.add(new EnvVar(JobArguments.TRACEPARENT_ENV, launch.traceparent(), null));
        }
        settings.jobEnvironment().forEach((name, value) -> env.add(new EnvVar(name, value, null)));
        settings.jobSecrets().keySet().stream().sorted().forEach(name -> env.add(secretEnv(name, secret, name)));
        return env;
    }

    private static EnvVar secretEnv(String name, String secret, String key) {
        return new EnvVarBuilder().withName(name)
                .withNewValueFrom().withNewSecretKeyRef(key, secret, false).endValueFrom()
                .build();
    }
}
