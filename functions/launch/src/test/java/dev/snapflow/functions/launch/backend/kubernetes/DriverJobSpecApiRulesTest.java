package dev.snapflow.functions.launch.backend.kubernetes;

import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.storage.PathSegment;
import dev.snapflow.functions.launch.backend.JobLaunch;
import dev.snapflow.functions.launch.backend.JobProfile;
import dev.snapflow.functions.launch.backend.TestJobs;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What launch builds for a job passes the API server's own rules ({@link KubernetesApiRules}, ported from
 * apimachinery) for every name the storage contract accepts, and the job's params survive Kubernetes' $(VAR)
 * expansion of container args unchanged.
 */
class DriverJobSpecApiRulesTest {
    private static final String LONGEST = "a".repeat(PathSegment.MAX_LENGTH);
    private final DriverJobSpec spec = new DriverJobSpec(KubernetesBackendTest.settings());

    private static JobLaunch launch(String tenant, String entity, String dataVersion, int step, int attempt, String params) {
        JobArguments arguments = new JobArguments(tenant, entity, dataVersion, "clean", params,
                "s3://snapflow/" + tenant + "/" + entity + "/" + dataVersion + "/bronze/out/_manifest.json",
                "s3://snapflow/" + tenant + "/" + entity + "/" + dataVersion + "/silver/out-1/",
                UUID.randomUUID().toString(), step, attempt, "http://callback.snapflow.svc/v1/jobs/x/status");
        JobProfile profile = new JobProfile("ghcr.io/snapflow/spark-jobs:0.1.0", "dev.snapflow.spark.SnapflowJob",
                List.of(), TestJobs.SMALL, Duration.ofMinutes(30));
        return new JobLaunch(arguments, profile, "token");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "0", "9lives", "Acme", "ACME", "a.b.c", "a_b_c", "a-b-c", "x1.y_2-z3", "2026-11-21",
            "v1.2.3", "A_1"})
    void everyObjectOfAJobPassesTheApiServersRulesForEdgeCaseNames(String name) {
        assertThat(PathSegment.isSafe(name)).isTrue();
        assertPassesApiServerRules(launch(name, name, name, 1, 1, "{}"));
    }

    @Test
    void maximumLengthNamesAndStepAndAttemptNumbersPassTheApiServersRules() {
        assertPassesApiServerRules(launch(LONGEST, LONGEST, LONGEST, 999, 999, "{}"));
        assertPassesApiServerRules(launch("9" + "_".repeat(61) + "Z", "a." + "b".repeat(61), "0-" + "1".repeat(61), 1, 1, "{}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"orders_", "orders-", "orders.", "_orders", "-orders", ".orders"})
    void aNameTheApiServerWouldRefuseAsALabelValueIsRefusedByTheContract(String name) {
        assertThat(KubernetesApiRules.isValidLabelValue(name)).isNotEmpty();
        assertThat(PathSegment.isSafe(name)).isFalse();
    }

    @Test
    void everyValueTheContractAcceptsUpToFourCharactersIsAValidLabelValue() {
        String alphabet = "aZ09._-/ $";
        List<String> values = List.of("");
        int accepted = 0;
        for (int length = 1; length <= 4; length++) {
            List<String> longer = new ArrayList<>();
            for (String prefix : values) {
                for (char c : alphabet.toCharArray()) {
                    longer.add(prefix + c);
                }
            }
            for (String value : longer) {
                if (PathSegment.isSafe(value)) {
                    accepted++;
                    assertThat(KubernetesApiRules.isValidLabelValue(value)).as("'%s'", value).isEmpty();
                }
            }
            values = longer;
        }
        assertThat(accepted).isGreaterThan(800);
    }

    @Test
    void paramsReachTheJobUnchangedThroughKubernetesArgExpansion() {
        String params = "{\"rules\":[{\"rule\":\"regex\",\"column\":\"price\",\"pattern\":\"^\\\\$[0-9]+(\\\\.[0-9]{2})?$|^$$|$(HOME)$\"},"
                + "{\"rule\":\"in_set\",\"column\":\"code\",\"values\":[\"$$\",\"$(VAR)\",\"$(AWS_SECRET_ACCESS_KEY)\","
                + "\"$(SNAPFLOW_CALLBACK_TOKEN)\",\"$\",\"$(\",\"$$(HOME)\",\"$$$\",\"€$é\",\"$€\"]}]}";
        JobLaunch launch = launch("acme", "orders", "v1", 1, 1, params);
        Job job = spec.job(launch);
        Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, String> env = resolvedEnvironment(container);

        List<String> expanded = container.getArgs().stream()
                .map(arg -> KubernetesApiRules.expand(arg, KubernetesApiRules.mappingFuncFor(env))).toList();

        int jar = expanded.indexOf(KubernetesBackendTest.settings().applicationJar());
        JobArguments seen = JobArguments.parse(expanded.subList(jar + 1 + launch.profile().fixedArgs().size(), expanded.size()));
        assertThat(seen).isEqualTo(launch.arguments());
        assertThat(seen.paramsJson()).isEqualTo(params).doesNotContain("snapflow-secret-key");
        // The one expansion launch wants still happens: executors learn the driver pod's name.
        assertThat(expanded).contains("spark.kubernetes.driver.pod.name=resolved-" + DriverJobSpec.POD_NAME_ENV);
    }

    @Test
    void theExpansionPortBehavesAsKubernetesDocumentsIt() {
        Function<String, String> mapping = KubernetesApiRules.mappingFuncFor(Map.of("VAR", "value"));
        assertThat(KubernetesApiRules.expand("$(VAR)", mapping)).isEqualTo("value");
        assertThat(KubernetesApiRules.expand("$$(VAR)", mapping)).isEqualTo("$(VAR)");
        assertThat(KubernetesApiRules.expand("$$$(VAR)", mapping)).isEqualTo("$value");
        assertThat(KubernetesApiRules.expand("$(UNSET)", mapping)).isEqualTo("$(UNSET)");
        assertThat(KubernetesApiRules.expand("$$", mapping)).isEqualTo("$");
        assertThat(KubernetesApiRules.expand("a$", mapping)).isEqualTo("a$");
        assertThat(KubernetesApiRules.expand("$(VAR", mapping)).isEqualTo("$(VAR");
        assertThat(KubernetesApiRules.expand("$x", mapping)).isEqualTo("$x");
        assertThat(DriverJobSpec.escapeExpansion("$(VAR)$$")).isEqualTo("$$(VAR)$$$$");
    }

    @Test
    void theRulePortRejectsWhatTheApiServerRejects() {
        assertThat(KubernetesApiRules.isValidLabelValue("orders_")).isNotEmpty();
        assertThat(KubernetesApiRules.isValidLabelValue("a".repeat(64))).isNotEmpty();
        assertThat(KubernetesApiRules.isValidLabelValue("")).isEmpty();
        assertThat(KubernetesApiRules.isQualifiedName("snapflow.dev/tenant")).isEmpty();
        assertThat(KubernetesApiRules.isQualifiedName("Snapflow.dev/tenant")).isNotEmpty();
        assertThat(KubernetesApiRules.isQualifiedName("a/b/c")).isNotEmpty();
        assertThat(KubernetesApiRules.isDns1123Label("Driver")).isNotEmpty();
        assertThat(KubernetesApiRules.isDns1123Subdomain("a.b-c")).isEmpty();
        assertThat(KubernetesApiRules.isDns1123Subdomain("a..b")).isNotEmpty();
        assertThat(KubernetesApiRules.isDns1035Label("0abc")).isNotEmpty();
        assertThat(KubernetesApiRules.isValidPortName("driver-rpc")).isEmpty();
        assertThat(KubernetesApiRules.isValidPortName("block-manager-port")).isNotEmpty();
        assertThat(KubernetesApiRules.isValidPortName("7078")).isNotEmpty();
        assertThat(KubernetesApiRules.isValidPortName("a--b")).isNotEmpty();
        assertThat(KubernetesApiRules.isEnvVarName("AWS_SECRET_ACCESS_KEY")).isEmpty();
        assertThat(KubernetesApiRules.isEnvVarName("1ABC")).isNotEmpty();
        assertThat(KubernetesApiRules.isEnvVarName("..A")).isNotEmpty();
        assertThat(KubernetesApiRules.isQuantity("1152Mi")).isEmpty();
        assertThat(KubernetesApiRules.isQuantity("1.5")).isEmpty();
        assertThat(KubernetesApiRules.isQuantity("2e3")).isEmpty();
        assertThat(KubernetesApiRules.isQuantity("1152MiB")).isNotEmpty();
        assertThat(KubernetesApiRules.isQuantity("1152mb")).isNotEmpty();
    }

    /** Env values as the kubelet resolves them: literal values, and a stand-in for each valueFrom. */
    private static Map<String, String> resolvedEnvironment(Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : container.getEnv()) {
            env.put(var.getName(), var.getValueFrom() != null ? "resolved-" + var.getName()
                    : KubernetesApiRules.expand(var.getValue(), KubernetesApiRules.mappingFuncFor(env)));
        }
        return env;
    }

    private void assertPassesApiServerRules(JobLaunch launch) {
        Job job = spec.job(launch);
        Secret secret = spec.tokenSecret(launch, job);
        Service service = spec.driverService(launch, job);
        List<String> problems = new ArrayList<>();

        check(problems, "Job name", KubernetesApiRules.isDns1123Subdomain(job.getMetadata().getName()));
        // The Job controller labels its pods job-name=<name>: a Job name must also be a label value.
        check(problems, "Job name as the pods' job-name label", KubernetesApiRules.isValidLabelValue(job.getMetadata().getName()));
        check(problems, "Secret name", KubernetesApiRules.isDns1123Subdomain(secret.getMetadata().getName()));
        check(problems, "Service name", KubernetesApiRules.isDns1035Label(service.getMetadata().getName()));
        for (ObjectMeta meta : List.of(job.getMetadata(), job.getSpec().getTemplate().getMetadata(), secret.getMetadata(),
                service.getMetadata())) {
            labels(problems, meta.getLabels());
        }
        labels(problems, service.getSpec().getSelector());
        secret.getData().keySet().forEach(key -> check(problems, "Secret key " + key, KubernetesApiRules.isEnvVarName(key)));
        for (ServicePort port : service.getSpec().getPorts()) {
            check(problems, "Service port " + port.getName(), KubernetesApiRules.isValidPortName(port.getName()));
        }
        Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        check(problems, "container name", KubernetesApiRules.isDns1123Label(container.getName()));
        container.getPorts().forEach(p -> check(problems, "container port " + p.getName(),
                KubernetesApiRules.isValidPortName(p.getName())));
        container.getEnv().forEach(e -> check(problems, "env " + e.getName(), KubernetesApiRules.isEnvVarName(e.getName())));
        for (Map<String, Quantity> quantities : List.of(container.getResources().getRequests(),
                container.getResources().getLimits())) {
            quantities.forEach((resource, q) -> check(problems, "quantity " + resource + "=" + q,
                    KubernetesApiRules.isQuantity(q.getAmount() + q.getFormat())));
        }
        job.getSpec().getTemplate().getSpec().getVolumes().forEach(v -> check(problems, "volume " + v.getName(),
                KubernetesApiRules.isDns1123Label(v.getName())));
        // What Spark passes on to the executor pods it creates.
        for (int i = 0; i < container.getArgs().size() - 1; i++) {
            if (!container.getArgs().get(i).equals("--conf")) {
                continue;
            }
            String conf = container.getArgs().get(i + 1);
            String key = conf.substring(0, conf.indexOf('='));
            String value = conf.substring(conf.indexOf('=') + 1);
            if (key.startsWith("spark.kubernetes.executor.label.")) {
                String label = key.substring("spark.kubernetes.executor.label.".length());
                check(problems, "executor label key " + label, KubernetesApiRules.isQualifiedName(label));
                check(problems, "executor label " + label + "=" + value, KubernetesApiRules.isValidLabelValue(value));
            }
            if (key.equals("spark.kubernetes.executor.podNamePrefix")) {
                // Spark appends "-exec-<n>" and requires the prefix to be a DNS label of at most 47 characters.
                check(problems, "executor pod name prefix", KubernetesApiRules.isDns1123Label(value + "-exec-9999"));
                check(problems, "executor pod name prefix length", value.length() <= 47 ? List.of() : List.of("over 47"));
            }
            if (key.startsWith("spark.executorEnv.")) {
                check(problems, "executor env " + key, KubernetesApiRules.isEnvVarName(key.substring("spark.executorEnv.".length())));
            }
        }
        assertThat(problems).as("objects of job %s", launch.jobId()).isEmpty();
    }

    private static void labels(List<String> problems, Map<String, String> labels) {
        labels.forEach((key, value) -> {
            check(problems, "label key " + key, KubernetesApiRules.isQualifiedName(key));
            check(problems, "label " + key + "=" + value, KubernetesApiRules.isValidLabelValue(value));
        });
    }

    private static void check(List<String> problems, String what, List<String> errors) {
        errors.forEach(error -> problems.add(what + ": " + error));
    }
}
