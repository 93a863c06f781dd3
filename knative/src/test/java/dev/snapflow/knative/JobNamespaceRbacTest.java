package dev.snapflow.knative;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * launch may do in the job namespace exactly what its Kubernetes JobBackend does, nothing cluster-wide, and
 * the Spark driver gets what client mode needs to run executors.
 */
class JobNamespaceRbacTest {
    static final List<String> OVERLAYS = ProjectLayout.OVERLAYS;
    static final String JOB_NAMESPACE = "snapflow-jobs";

    /**
     * Beyond the calls launch makes (functions/launch/README.md): its Secret and Service name the Job as owner
     * with blockOwnerDeletion, which clusters running the OwnerReferencesPermissionEnforcement admission
     * plugin only allow to whoever may update the owner's finalizers.
     */
    static final Set<String> ADMISSION_NEEDS = Set.of("batch/jobs/finalizers update");

    @Test
    void theLaunchReadmeListsLaunchsAndTheDriversCalls() {
        assertThat(LaunchReadme.launchCalls()).contains("batch/jobs create", "/pods watch");
        assertThat(LaunchReadme.driverCalls()).contains("/pods create", "/configmaps create");
    }

    @ParameterizedTest(name = "overlay {0}")
    @FieldSource("OVERLAYS")
    void launchMayDoExactlyWhatItsJobBackendDoesInTheJobNamespace(String overlay) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        String account = built.function("launch").getSpec().getTemplate().getSpec().getServiceAccountName();
        assertThat(built.manifests().find(ServiceAccount.class, "snapflow", account)).isPresent();
        Set<String> expected = new TreeSet<>(LaunchReadme.launchCalls());
        expected.addAll(ADMISSION_NEEDS);
        assertThat(grantedTo(built, "snapflow", account)).as("launch's grants; functions/launch/README.md lists its calls")
                .isEqualTo(expected);
        assertThat(built.setting("SNAPFLOW_K8S_NAMESPACE")).isEqualTo(JOB_NAMESPACE);
    }

    @ParameterizedTest(name = "overlay {0}")
    @FieldSource("OVERLAYS")
    void sparkDriversRunAsTheirOwnAccountInTheJobNamespace(String overlay) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        String account = built.setting("SNAPFLOW_K8S_SERVICE_ACCOUNT");
        assertThat(built.manifests().find(ServiceAccount.class, JOB_NAMESPACE, account)).isPresent();
        assertThat(grantedTo(built, JOB_NAMESPACE, account))
                .as("the Spark driver's grants; functions/launch/README.md lists its calls")
                .isEqualTo(LaunchReadme.driverCalls());
    }

    @ParameterizedTest(name = "overlay {0}")
    @FieldSource("OVERLAYS")
    void nothingIsGrantedClusterWideOrOutsideTheJobNamespace(String overlay) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        assertThat(built.manifests().all()).extracting(HasMetadata::getKind).doesNotContain("ClusterRole");
        // The one cluster-wide grant: Kubernetes' own read-only role for the service-account issuer's discovery
        // document and public keys, which the functions need to verify event deliveries' OIDC tokens.
        assertThat(built.manifests().ofKind(io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding.class))
                .allSatisfy(b -> assertThat(b.getRoleRef().getName()).isEqualTo("system:service-account-issuer-discovery"));
        assertThat(built.manifests().ofKind(Role.class)).allSatisfy(r ->
                assertThat(r.getMetadata().getNamespace()).isEqualTo(JOB_NAMESPACE));
        for (String function : List.of("validate", "enqueue", "callback")) {
            String account = built.function(function).getSpec().getTemplate().getSpec().getServiceAccountName();
            assertThat(grantedTo(built, "snapflow", account)).as("grants of %s (%s)", function, account).isEmpty();
        }
    }

    /** Every "group/resource verb" the RoleBindings give this ServiceAccount (resourceNames-free rules only). */
    private static Set<String> grantedTo(BuiltOverlay built, String namespace, String account) {
        Set<String> granted = new TreeSet<>();
        for (RoleBinding binding : built.manifests().ofKind(RoleBinding.class)) {
            boolean forAccount = binding.getSubjects().stream().anyMatch(s -> s.getKind().equals("ServiceAccount")
                    && s.getName().equals(account) && namespace.equals(s.getNamespace()));
            if (!forAccount) {
                continue;
            }
            assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
            Role role = built.manifests().get(Role.class, binding.getMetadata().getNamespace(), binding.getRoleRef().getName());
            for (PolicyRule rule : role.getRules()) {
                assertThat(rule.getResourceNames()).as("resourceNames in %s", Manifests.id(role)).isNullOrEmpty();
                for (String group : rule.getApiGroups()) {
                    for (String resource : rule.getResources()) {
                        for (String verb : rule.getVerbs()) {
                            assertThat(group + resource + verb).as("wildcard in %s", Manifests.id(role)).doesNotContain("*");
                            granted.add(group + "/" + resource + " " + verb);
                        }
                    }
                }
            }
        }
        return granted;
    }
}
