package dev.snapflow.functions.launch.backend.kubernetes;

import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.functions.launch.backend.JobLaunch;
import dev.snapflow.functions.launch.backend.LaunchOutcome;
import dev.snapflow.functions.launch.backend.TestJobs;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@EnableKubernetesMockClient(crud = true)
class KubernetesBackendTest {
    static final String NAMESPACE = "snapflow-jobs";

    KubernetesClient client;
    private KubernetesBackend backend;

    static KubernetesSettings settings() {
        return new KubernetesSettings(NAMESPACE, "snapflow-spark", "local:///opt/snapflow/spark-jobs.jar",
                "/opt/spark/bin/spark-submit", Duration.ofHours(1), "IfNotPresent",
                Map.of("SNAPFLOW_S3_ENDPOINT", "http://minio.storage.svc:9000"),
                Map.of("AWS_ACCESS_KEY_ID", "snapflow-access", "AWS_SECRET_ACCESS_KEY", "snapflow-secret-key"));
    }

    @BeforeEach
    void createBackend() {
        backend = new KubernetesBackend(client, settings());
    }

    private Job job(JobLaunch launch) {
        return client.batch().v1().jobs().inNamespace(NAMESPACE).withName(launch.jobId().value()).get();
    }

    @Test
    void launchStartsTheDriverAsAJobWithItsOwnTokenSecretAndHeadlessService() {
        JobLaunch scripted = TestJobs.scripted("sleep", Duration.ofMinutes(30));
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        JobLaunch launch = new JobLaunch(scripted.arguments(), scripted.profile(), scripted.callbackToken(), traceparent);
        String name = launch.jobId().value();

        LaunchOutcome outcome = backend.launch(launch);

        assertThat(outcome).isInstanceOfSatisfying(LaunchOutcome.Launched.class, launched -> {
            assertThat(launched.ref().backend()).isEqualTo("kubernetes");
            assertThat(launched.ref().location()).isEqualTo(NAMESPACE + "/" + name);
        });
        Job job = job(launch);
        Map<String, String> labels = job.getMetadata().getLabels();
        assertThat(labels).containsEntry("app.kubernetes.io/managed-by", "snapflow")
                .containsEntry("snapflow.dev/tenant", "acme")
                .containsEntry("snapflow.dev/entity", "orders")
                .containsEntry("snapflow.dev/process", launch.arguments().processId())
                .containsEntry("snapflow.dev/step", "1")
                .containsEntry("snapflow.dev/attempt", "1")
                .containsEntry("snapflow.dev/action", "clean")
                .containsEntry("snapflow.dev/job-id", name);
        assertThat(job.getSpec().getSuspend()).isFalse();
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(1800L);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(3600);
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(labels).containsEntry("snapflow.dev/role", "driver");

        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getServiceAccountName()).isEqualTo("snapflow-spark");
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(185L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getVolumes()).extracting(volume -> volume.getName() + ":" + (volume.getEmptyDir() != null))
                .containsExactly("tmp:true", "spark-local:true");

        Container driver = pod.getContainers().getFirst();
        assertThat(pod.getContainers()).hasSize(1);
        assertThat(driver.getImage()).isEqualTo("ghcr.io/snapflow/spark-jobs:test");
        assertThat(driver.getCommand()).containsExactly("/opt/spark/bin/spark-submit");
        assertThat(driver.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(driver.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(driver.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(driver.getVolumeMounts()).extracting(mount -> mount.getName() + ":" + mount.getMountPath())
                .containsExactly("tmp:/tmp", "spark-local:/var/data/spark-local");
        // TestJobs.SMALL: driver 1 core, 128 MiB heap + Spark's minimum overhead of 384 MiB.
        assertThat(driver.getResources().getRequests())
                .containsEntry("cpu", new Quantity("1")).containsEntry("memory", new Quantity("512Mi"));
        assertThat(driver.getResources().getLimits()).isEqualTo(driver.getResources().getRequests());

        List<String> args = driver.getArgs();
        assertThat(args).containsSequence("--master", "k8s://https://kubernetes.default.svc")
                .containsSequence("--deploy-mode", "client")
                .containsSequence("--class", "dev.snapflow.functions.launch.backend.ScriptedJob")
                .containsSequence("--driver-memory", "128m")
                .contains("spark.driver.host=" + name + "-driver." + NAMESPACE + ".svc",
                        "spark.kubernetes.namespace=" + NAMESPACE,
                        "spark.kubernetes.container.image=ghcr.io/snapflow/spark-jobs:test",
                        "spark.kubernetes.executor.podNamePrefix=" + name,
                        "spark.kubernetes.driver.pod.name=$(SNAPFLOW_DRIVER_POD_NAME)",
                        "spark.executor.instances=2",
                        "spark.executor.cores=1",
                        "spark.executor.memory=512m",
                        "spark.executor.memoryOverhead=384m",
                        "spark.kubernetes.executor.label.snapflow.dev/job-id=" + name,
                        "spark.kubernetes.executor.secretKeyRef.AWS_ACCESS_KEY_ID=" + name + "-secret:AWS_ACCESS_KEY_ID",
                        "spark.executorEnv.SNAPFLOW_S3_ENDPOINT=http://minio.storage.svc:9000");
        List<String> jobArgs = launch.arguments().toArgs();
        assertThat(args.subList(args.size() - jobArgs.size() - 1, args.size()))
                .containsExactlyElementsOf(concat("local:///opt/snapflow/spark-jobs.jar", jobArgs));
        assertThat(String.join(" ", args)).doesNotContain(launch.callbackToken());

        Map<String, EnvVar> env = new java.util.HashMap<>();
        driver.getEnv().forEach(var -> env.put(var.getName(), var));
        assertThat(env.get(JobArguments.CALLBACK_TOKEN_ENV).getValue()).isNull();
        assertThat(env.get(JobArguments.CALLBACK_TOKEN_ENV).getValueFrom().getSecretKeyRef().getName())
                .isEqualTo(name + "-secret");
        assertThat(env.get(JobArguments.CALLBACK_TOKEN_ENV).getValueFrom().getSecretKeyRef().getKey())
                .isEqualTo("callback-token");
        assertThat(env.get(JobArguments.TRACEPARENT_ENV).getValue()).as("the trace the job continues").isEqualTo(traceparent);
        assertThat(env.get("SNAPFLOW_DRIVER_POD_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        assertThat(env.get("SNAPFLOW_S3_ENDPOINT").getValue()).isEqualTo("http://minio.storage.svc:9000");
        assertThat(env.get("AWS_SECRET_ACCESS_KEY").getValue()).isNull();
        assertThat(env.get("AWS_SECRET_ACCESS_KEY").getValueFrom().getSecretKeyRef().getName()).isEqualTo(name + "-secret");
        assertThat(String.join(" ", args) + driver.getEnv()).doesNotContain("snapflow-secret-key");

        Secret secret = client.secrets().inNamespace(NAMESPACE).withName(name + "-secret").get();
        assertThat(decode(secret, "callback-token")).isEqualTo(launch.callbackToken());
        assertThat(decode(secret, "AWS_SECRET_ACCESS_KEY")).isEqualTo("snapflow-secret-key");
        assertOwnedBy(secret.getMetadata().getOwnerReferences(), job);

        Service service = client.services().inNamespace(NAMESPACE).withName(name + "-driver").get();
        assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(service.getSpec().getSelector())
                .containsExactlyInAnyOrderEntriesOf(Map.of("snapflow.dev/job-id", name, "snapflow.dev/role", "driver"));
        assertThat(service.getSpec().getPorts()).extracting(port -> port.getPort()).containsExactly(7078, 7079);
        assertOwnedBy(service.getMetadata().getOwnerReferences(), job);
    }

    private static String decode(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    private static void assertOwnedBy(List<OwnerReference> owners, Job job) {
        assertThat(owners).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("Job");
            assertThat(owner.getApiVersion()).isEqualTo("batch/v1");
            assertThat(owner.getName()).isEqualTo(job.getMetadata().getName());
            assertThat(owner.getUid()).isNotBlank().isEqualTo(job.getMetadata().getUid());
            assertThat(owner.getBlockOwnerDeletion()).isTrue();
        });
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new java.util.ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    @Test
    void redeliveredJobMessageCreatesNothingNew() {
        JobLaunch launch = TestJobs.scripted("sleep", Duration.ofMinutes(30));
        backend.launch(launch);
        String resourceVersion = job(launch).getMetadata().getResourceVersion();

        LaunchOutcome redelivered = backend.launch(launch);
        LaunchOutcome otherInstance = new KubernetesBackend(client, settings()).launch(launch);

        assertThat(redelivered).isInstanceOf(LaunchOutcome.AlreadyRunning.class);
        assertThat(otherInstance).isInstanceOf(LaunchOutcome.AlreadyRunning.class);
        assertThat(client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems()).hasSize(1);
        assertThat(client.secrets().inNamespace(NAMESPACE).list().getItems()).hasSize(1);
        assertThat(client.services().inNamespace(NAMESPACE).list().getItems()).hasSize(1);
        assertThat(job(launch).getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
    }

    @Test
    void launchThatDiedHalfWayIsCompletedByTheNextDelivery() {
        JobLaunch launch = TestJobs.scripted("sleep", Duration.ofMinutes(30));
        // What a launch that crashed right after creating the Job leaves behind.
        client.batch().v1().jobs().inNamespace(NAMESPACE).resource(new DriverJobSpec(settings()).job(launch)).create();

        LaunchOutcome outcome = backend.launch(launch);

        assertThat(outcome).isInstanceOf(LaunchOutcome.Launched.class);
        assertThat(job(launch).getSpec().getSuspend()).isFalse();
        assertThat(client.secrets().inNamespace(NAMESPACE).withName(launch.jobId().value() + "-secret").get()).isNotNull();
        assertThat(client.services().inNamespace(NAMESPACE).withName(launch.jobId().value() + "-driver").get()).isNotNull();
        assertThat(backend.launch(launch)).isInstanceOf(LaunchOutcome.AlreadyRunning.class);
    }

    @Test
    void cancelDeletesTheProcessesJobsAndLeavesOtherProcessesAlone() {
        String processId = UUID.randomUUID().toString();
        JobLaunch stepOne = TestJobs.scripted(processId, "sleep", Duration.ofMinutes(30));
        JobLaunch other = TestJobs.scripted("sleep", Duration.ofMinutes(30));
        backend.launch(stepOne);
        backend.launch(other);

        var outcome = backend.cancelProcess(processId);

        assertThat(outcome.stopped()).containsExactly(stepOne.jobId());
        assertThat(job(stepOne)).isNull();
        assertThat(job(other)).isNotNull();
        assertThat(backend.cancelProcess(processId).stopped()).isEmpty();
    }

    @Test
    void jobRequestOfAProcessCancelledBeforeItArrivedCreatesNoJobOnAnyLaunchReplica() {
        String processId = UUID.randomUUID().toString();
        JobLaunch late = TestJobs.scripted(processId, "sleep", Duration.ofMinutes(30));

        backend.cancelProcess(processId);
        LaunchOutcome outcome = new KubernetesBackend(client, settings()).launch(late);

        assertThat(outcome).isInstanceOf(LaunchOutcome.Cancelled.class);
        assertThat(job(late)).isNull();
        assertThat(client.configMaps().inNamespace(NAMESPACE).withName(KubernetesCancelTombstones.name(processId)).get()
                .getMetadata().getLabels()).containsEntry("snapflow.dev/process", processId)
                .containsEntry("snapflow.dev/role", "cancel-tombstone");
        assertThat(backend.launch(TestJobs.scripted("sleep", Duration.ofMinutes(30))))
                .as("other processes are not affected").isInstanceOf(LaunchOutcome.Launched.class);
    }

    @Test
    void aCancelThatCameWhileTheJobWasBeingCreatedDeletesTheSuspendedJobInsteadOfResumingIt() {
        String processId = UUID.randomUUID().toString();
        JobLaunch launch = TestJobs.scripted(processId, "sleep", Duration.ofMinutes(30));
        // A launch created the suspended Job and died; the cancel found nothing running but left its tombstone.
        client.batch().v1().jobs().inNamespace(NAMESPACE).resource(new DriverJobSpec(settings()).job(launch)).create();
        new KubernetesCancelTombstones(client, NAMESPACE).record(processId);

        LaunchOutcome outcome = backend.launch(launch);

        assertThat(outcome).isInstanceOf(LaunchOutcome.Cancelled.class);
        assertThat(job(launch)).isNull();
    }

    @Test
    void aJobAskedForAgainAfterItFinishedIsEndedAndNotStartedAgain() {
        JobLaunch launch = TestJobs.scripted("sleep", Duration.ofMinutes(30));
        backend.launch(launch);
        client.batch().v1().jobs().inNamespace(NAMESPACE).withName(launch.jobId().value()).editStatus(job -> {
            job.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder().addNewCondition()
                    .withType("Failed").withStatus("True").withReason("DeadlineExceeded").endCondition().build());
            return job;
        });

        assertThat(backend.launch(launch)).isInstanceOfSatisfying(LaunchOutcome.Ended.class,
                ended -> assertThat(ended.what()).contains("Failed (DeadlineExceeded)"));
        assertThat(backend.probe(launch)).isInstanceOf(LaunchOutcome.Ended.class);
        assertThat(client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems()).hasSize(1);
    }

    @Test
    void probeSaysRunningWhileTheJobRunsAndGoneOnceItsJobIsDeletedWithoutEverCreatingOne() {
        JobLaunch launch = TestJobs.scripted("sleep", Duration.ofMinutes(30));
        backend.launch(launch);

        assertThat(backend.probe(launch)).isInstanceOf(LaunchOutcome.AlreadyRunning.class);
        client.batch().v1().jobs().inNamespace(NAMESPACE).withName(launch.jobId().value()).delete();
        assertThat(backend.probe(launch)).isInstanceOfSatisfying(LaunchOutcome.Ended.class,
                ended -> assertThat(ended.what()).startsWith("is gone"));
        assertThat(job(launch)).as("a job that ran is never started again by a probe").isNull();
    }
}
