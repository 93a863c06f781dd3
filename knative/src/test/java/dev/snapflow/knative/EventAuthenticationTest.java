package dev.snapflow.knative;

import io.fabric8.knative.duck.v1.Destination;
import io.fabric8.knative.eventing.v1.SubscriptionsAPIFilter;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.sources.v1.PingSource;
import io.fabric8.knative.eventing.v1alpha1.EventPolicy;
import io.fabric8.knative.eventing.v1alpha1.EventPolicySpecFrom;
import io.fabric8.knative.eventing.v1alpha1.EventPolicySpecTo;
import io.fabric8.knative.sources.v1.SinkBinding;
import io.fabric8.knative.sources.v1beta1.KafkaSource;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In-cluster sender identity (docs/security.md, "Inside the cluster"): Knative's OIDC and authorization flags
 * are on, every receiver of events has an EventPolicy naming exactly its senders, every sender has one allowing
 * exactly the event types it produces, and every function is configured to check the same identities.
 */
class EventAuthenticationTest {
    private static final String NAMESPACE = "snapflow";
    private static final String BROKER = "snapflow";
    private static final String TRIGGER_IDENTITY = "-oidc-eventing.knative.dev-trigger";
    private static final String KAFKA_SOURCE_IDENTITY = "-oidc-sources.knative.dev-kafkasource";
    private static final String PING_SOURCE_IDENTITY = "-oidc-sources.knative.dev-pingsource";
    /** validate, enqueue and callback share the outbox table: any of their relays may publish any of its rows. */
    private static final Set<String> OUTBOX_FUNCTIONS = Set.of("validate", "enqueue", "callback");

    static Stream<Arguments> functionsInOverlays() {
        return ProjectLayout.OVERLAYS.stream().flatMap(o -> ProjectLayout.FUNCTIONS.stream().map(f -> Arguments.of(o, f)));
    }

    static Stream<String> overlays() {
        return ProjectLayout.OVERLAYS.stream();
    }

    @Test
    void knativeEventingRunsWithOidcStrictTlsAndDenyAllByDefault() {
        ConfigMap features = Manifests.read(ProjectLayout.knative().resolve("cluster/config-features.yaml"))
                .get(ConfigMap.class, "knative-eventing", "config-features");
        assertThat(features.getData())
                .containsEntry("authentication-oidc", "enabled")
                .containsEntry("transport-encryption", "strict")
                .containsEntry("default-authorization-mode", "deny-all");
    }

    /** The OIDC subject Knative gives a resource's own identity ({@code <name>-oidc-<group>-<kind>}). */
    private static String identity(String name, String suffix) {
        String account = (name + suffix).toLowerCase(Locale.ROOT);
        // Longer names are shortened with a hash by Knative (kmeta.ChildName): the configured subjects would be wrong.
        assertThat(account.length()).as("ServiceAccount name %s", account).isLessThanOrEqualTo(63);
        return "system:serviceaccount:" + NAMESPACE + ":" + account;
    }

    /** The identities that deliver to a function: its Triggers' and the Kafka and Ping sources sinking to it. */
    private static Set<String> deliverersOf(BuiltOverlay built, String function) {
        Set<String> subjects = new TreeSet<>();
        for (Trigger trigger : built.manifests().ofKind(Trigger.class)) {
            if (isFunction(trigger.getSpec().getSubscriber(), function)) {
                subjects.add(identity(trigger.getMetadata().getName(), TRIGGER_IDENTITY));
            }
        }
        for (KafkaSource source : built.manifests().ofKind(KafkaSource.class)) {
            if (isFunction(source.getSpec().getSink(), function)) {
                subjects.add(identity(source.getMetadata().getName(), KAFKA_SOURCE_IDENTITY));
            }
        }
        for (PingSource source : built.manifests().ofKind(PingSource.class)) {
            if (isFunction(source.getSpec().getSink(), function)) {
                subjects.add(identity(source.getMetadata().getName(), PING_SOURCE_IDENTITY));
            }
        }
        return subjects;
    }

    private static boolean isFunction(Destination destination, String function) {
        return destination.getRef() != null && "Service".equals(destination.getRef().getKind())
                && function.equals(destination.getRef().getName());
    }

    private static List<EventPolicy> policiesTo(BuiltOverlay built, String apiVersion, String kind, String name) {
        List<EventPolicy> policies = new ArrayList<>();
        for (EventPolicy policy : built.manifests().ofKind(EventPolicy.class)) {
            assertThat(policy.getApiVersion()).isEqualTo("eventing.knative.dev/v1alpha1");
            assertThat(policy.getSpec().getTo()).as("%s names its targets (an empty list means every sink of the namespace)",
                    policy.getMetadata().getName()).isNotEmpty();
            for (EventPolicySpecTo to : policy.getSpec().getTo()) {
                if (to.getRef() != null && apiVersion.equals(to.getRef().getApiVersion())
                        && kind.equals(to.getRef().getKind()) && name.equals(to.getRef().getName())) {
                    policies.add(policy);
                }
            }
        }
        return policies;
    }

    private static Map<String, String> literalEnv(Service function) {
        Map<String, String> env = new LinkedHashMap<>();
        Container container = BuiltOverlay.container(function);
        for (EnvVar var : container.getEnv()) {
            if (var.getValueFrom() == null) {
                env.put(var.getName(), var.getValue());
            }
        }
        return env;
    }

    @ParameterizedTest(name = "{1} in overlay {0}")
    @MethodSource("functionsInOverlays")
    void everyDeliveryToAFunctionIsForItsAudienceAndItsPolicyNamesExactlyItsDeliverers(String overlay, String function) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        String audience = "snapflow-" + function;
        Set<String> deliverers = deliverersOf(built, function);
        assertThat(deliverers).as("Triggers and sources delivering to %s", function).isNotEmpty();

        for (Trigger trigger : built.manifests().ofKind(Trigger.class)) {
            if (isFunction(trigger.getSpec().getSubscriber(), function)) {
                assertThat(trigger.getSpec().getSubscriber().getAudience()).as("audience of Trigger %s",
                        trigger.getMetadata().getName()).isEqualTo(audience);
            }
        }
        for (KafkaSource source : built.manifests().ofKind(KafkaSource.class)) {
            if (isFunction(source.getSpec().getSink(), function)) {
                assertThat(source.getSpec().getSink().getAudience()).isEqualTo(audience);
            }
        }
        for (PingSource source : built.manifests().ofKind(PingSource.class)) {
            if (isFunction(source.getSpec().getSink(), function)) {
                assertThat(source.getSpec().getSink().getAudience()).as("audience of PingSource %s",
                        source.getMetadata().getName()).isEqualTo(audience);
            }
        }

        List<EventPolicy> policies = policiesTo(built, "serving.knative.dev/v1", "Service", function);
        assertThat(policies).as("EventPolicies naming %s", function).hasSize(1);
        EventPolicy policy = policies.getFirst();
        assertThat(policy.getSpec().getFrom()).allSatisfy(from -> assertThat(from.getSub()).isNotBlank());
        Set<String> allowedByPolicy = policy.getSpec().getFrom().stream().map(EventPolicySpecFrom::getSub)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(allowedByPolicy).isEqualTo(deliverers);

        Map<String, String> env = literalEnv(built.function(function));
        assertThat(env).containsEntry("SNAPFLOW_OIDC_AUDIENCE", audience);
        assertThat(new TreeSet<>(List.of(env.get("SNAPFLOW_OIDC_ALLOWED_SENDERS").split(","))))
                .as("SNAPFLOW_OIDC_ALLOWED_SENDERS of %s (the function enforces its policy itself)", function)
                .isEqualTo(deliverers);
    }

    @ParameterizedTest(name = "{1} in overlay {0}")
    @MethodSource("functionsInOverlays")
    void everyFunctionListensOnAllInterfacesChecksTokensAgainstTheIssuerAndPresentsItsOwnToTheBroker(String overlay,
                                                                                                      String function) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        Service service = built.function(function);
        Map<String, String> env = literalEnv(service);
        assertThat(env).containsEntry("SNAPFLOW_SERVER_HOST", "0.0.0.0")
                .containsEntry("SNAPFLOW_SINK_TOKEN_FILE", "/oidc/token")
                .containsKeys("SNAPFLOW_OIDC_CA_FILE", "SNAPFLOW_OIDC_JWKS_TOKEN_FILE");
        assertThat(built.setting("SNAPFLOW_TRANSPORT")).isEqualTo("http");
        assertThat(built.setting("SNAPFLOW_OIDC_ISSUER")).startsWith("https://");

        // The CA and token files are in the projected volume the container mounts.
        Container container = BuiltOverlay.container(service);
        for (String file : List.of(env.get("SNAPFLOW_OIDC_CA_FILE"), env.get("SNAPFLOW_OIDC_JWKS_TOKEN_FILE"))) {
            Path path = Path.of(file);
            var mount = container.getVolumeMounts().stream().filter(m -> Path.of(m.getMountPath()).equals(path.getParent()))
                    .findFirst().orElseThrow(() -> new AssertionError(function + " mounts nothing at " + path.getParent()));
            Volume volume = service.getSpec().getTemplate().getSpec().getVolumes().stream()
                    .filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
            assertThat(volume.getProjected().getSources()).anySatisfy(source -> {
                if (source.getServiceAccountToken() != null) {
                    assertThat(source.getServiceAccountToken().getPath()).isEqualTo(path.getFileName().toString());
                } else {
                    assertThat(source.getConfigMap().getName()).isEqualTo("kube-root-ca.crt");
                    assertThat(source.getConfigMap().getItems()).anySatisfy(item ->
                            assertThat(item.getPath()).isEqualTo(path.getFileName().toString()));
                }
            });
        }

        // Its ServiceAccount may read the issuer's discovery document and keys.
        String account = service.getSpec().getTemplate().getSpec().getServiceAccountName();
        assertThat(built.manifests().ofKind(ClusterRoleBinding.class))
                .filteredOn(b -> b.getRoleRef().getName().equals("system:service-account-issuer-discovery"))
                .flatMap(ClusterRoleBinding::getSubjects)
                .anySatisfy(subject -> {
                    assertThat(subject.getName()).isEqualTo(account);
                    assertThat(subject.getNamespace()).isEqualTo(NAMESPACE);
                });
    }

    /** The event types a policy lets through: all of them when it has no filters, else those every filter admits. */
    private static Set<String> admittedTypes(EventPolicy policy, Set<String> allTypes) {
        Set<String> admitted = new HashSet<>(allTypes);
        for (SubscriptionsAPIFilter filter : policy.getSpec().getFilters() == null
                ? List.<SubscriptionsAPIFilter>of() : policy.getSpec().getFilters()) {
            admitted.retainAll(typesOf(filter));
        }
        return admitted;
    }

    private static Set<String> typesOf(SubscriptionsAPIFilter filter) {
        assertThat(filter.getCesql()).as("filters are written as exact/any so this test can read them").isNull();
        if (filter.getAny() != null && !filter.getAny().isEmpty()) {
            return filter.getAny().stream().flatMap(f -> typesOf(f).stream()).collect(Collectors.toSet());
        }
        assertThat(filter.getExact()).as("a filter on the event type").containsOnlyKeys("type");
        return Set.of(filter.getExact().get("type"));
    }

    private static Set<String> sinkBindingsOf(EventPolicy policy) {
        return policy.getSpec().getFrom().stream().filter(f -> f.getRef() != null && "SinkBinding".equals(f.getRef().getKind()))
                .map(f -> f.getRef().getName()).collect(Collectors.toSet());
    }

    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void everyPublisherToTheBrokerHasAPolicyAllowingExactlyTheTypesItProduces(String overlay) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        RoutingTable routing = RoutingTable.read();
        List<EventPolicy> brokerPolicies = policiesTo(built, "eventing.knative.dev/v1", "Broker", BROKER);
        assertThat(brokerPolicies).isNotEmpty();
        brokerPolicies.forEach(p -> assertThat(p.getSpec().getFilters()).as("type filters of %s", p.getMetadata().getName())
                .isNotEmpty());

        // Every SinkBinding to the broker is named by a policy, by its own identity.
        for (SinkBinding binding : built.manifests().ofKind(SinkBinding.class)) {
            if (BROKER.equals(binding.getSpec().getSink().getRef().getName())) {
                assertThat(brokerPolicies).as("a broker policy naming SinkBinding %s", binding.getMetadata().getName())
                        .anySatisfy(p -> assertThat(sinkBindingsOf(p)).contains(binding.getMetadata().getName()));
            }
        }

        for (RoutingTable.Route route : routing.routes()) {
            Set<String> mayPublish = new TreeSet<>(route.producingFunctions().toList());
            if (mayPublish.stream().anyMatch(OUTBOX_FUNCTIONS::contains)) {
                mayPublish.addAll(OUTBOX_FUNCTIONS);
            }
            Set<String> allowedBindings = mayPublish.stream().map(f -> f + "-publishes-to-broker")
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> admittingBindings = new TreeSet<>();
            boolean admitsSubjects = false;
            for (EventPolicy policy : brokerPolicies) {
                if (admittedTypes(policy, routing.types()).contains(route.type())) {
                    admittingBindings.addAll(sinkBindingsOf(policy));
                    admitsSubjects |= policy.getSpec().getFrom().stream().anyMatch(f -> f.getSub() != null);
                }
            }
            assertThat(admittingBindings).as("SinkBindings that may send %s to the broker", route.type())
                    .isEqualTo(allowedBindings);
            assertThat(admitsSubjects).as("whether systems outside Snapflow may send %s", route.type())
                    .isEqualTo(route.producers().contains(RoutingTable.EXTERNAL));
        }
    }

    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void onlyLaunchMaySendJobLaunchedAndJobStatus(String overlay) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        Set<String> types = RoutingTable.read().types();
        for (String type : List.of("dev.snapflow.job.launched.v1", "dev.snapflow.job.status.v1")) {
            assertThat(policiesTo(built, "eventing.knative.dev/v1", "Broker", BROKER))
                    .filteredOn(p -> admittedTypes(p, types).contains(type))
                    .singleElement().satisfies(p -> assertThat(p.getSpec().getFrom()).singleElement()
                            .satisfies(from -> assertThat(from.getRef().getName()).isEqualTo("launch-publishes-to-broker")));
        }
    }

    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void theKafkaSinksAcceptDeliveriesFromTheirTriggersAndSources(String overlay) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        for (HasMetadata sink : built.manifests().ofKind(io.fabric8.knative.eventing.v1alpha1.KafkaSink.class)) {
            String name = sink.getMetadata().getName();
            Set<String> senders = new TreeSet<>();
            for (Trigger trigger : built.manifests().ofKind(Trigger.class)) {
                Destination subscriber = trigger.getSpec().getSubscriber();
                if (subscriber.getRef() != null && "KafkaSink".equals(subscriber.getRef().getKind())
                        && name.equals(subscriber.getRef().getName())) {
                    senders.add("Trigger/" + trigger.getMetadata().getName());
                }
                if (trigger.getSpec().getDelivery() != null && trigger.getSpec().getDelivery().getDeadLetterSink() != null
                        && name.equals(trigger.getSpec().getDelivery().getDeadLetterSink().getRef().getName())) {
                    senders.add("Trigger/" + trigger.getMetadata().getName());
                }
            }
            for (KafkaSource source : built.manifests().ofKind(KafkaSource.class)) {
                if (source.getSpec().getDelivery() != null && source.getSpec().getDelivery().getDeadLetterSink() != null
                        && name.equals(source.getSpec().getDelivery().getDeadLetterSink().getRef().getName())) {
                    senders.add("KafkaSource/" + source.getMetadata().getName());
                }
            }
            assertThat(senders).as("senders to KafkaSink %s", name).isNotEmpty();
            Set<String> named = policiesTo(built, "eventing.knative.dev/v1alpha1", "KafkaSink", name).stream()
                    .flatMap(p -> p.getSpec().getFrom().stream())
                    .map(f -> f.getRef().getKind() + "/" + f.getRef().getName())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(named).as("senders the policies of KafkaSink %s allow", name).isEqualTo(senders);
        }
    }

    /**
     * callback's reconciler is woken on Knative by a PingSource (callback scales to zero): it must exist, tick at
     * least every few minutes, and be a delivery callback authenticates like its Triggers (checked above).
     */
    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void aPingSourceWakesCallbacksReconcilerEveryMinute(String overlay) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        List<PingSource> ticks = built.manifests().ofKind(PingSource.class).stream()
                .filter(source -> isFunction(source.getSpec().getSink(), "callback")).toList();

        assertThat(ticks).singleElement().satisfies(tick -> {
            assertThat(tick.getApiVersion()).isEqualTo("sources.knative.dev/v1");
            assertThat(tick.getSpec().getSchedule()).isEqualTo("* * * * *");
            assertThat(tick.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        });
    }
}
