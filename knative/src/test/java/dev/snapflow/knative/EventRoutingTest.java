package dev.snapflow.knative;

import dev.snapflow.contracts.events.EventTypes;
import io.fabric8.knative.duck.v1.DeliverySpec;
import io.fabric8.knative.duck.v1.Destination;
import io.fabric8.knative.duck.v1.KReference;
import io.fabric8.knative.eventing.v1.Broker;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.eventing.v1alpha1.KafkaSink;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.sources.v1.SinkBinding;
import io.fabric8.knative.sources.v1beta1.KafkaSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The eventing wiring matches knative/routing.yaml, and routing.yaml covers every event type of the contracts:
 * a new event type without a route, a route without a Trigger, or a Trigger no route asks for fails the build.
 */
class EventRoutingTest {
    static final List<String> OVERLAYS = ProjectLayout.OVERLAYS;
    static final String BROKER = "snapflow";
    static final String JOBS_TOPIC = "snapflow-jobs";
    static final String JOBS_SINK = "snapflow-jobs";
    static final String ORDER_ANNOTATION = "kafka.eventing.knative.dev/delivery.order";

    private final RoutingTable routing = RoutingTable.read();

    @Test
    void everyEventTypeOfTheContractsHasExactlyOneRoute() {
        List<String> routed = routing.routes().stream().map(RoutingTable.Route::type).toList();
        assertThat(routed).as("event types in knative/routing.yaml").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(EventTypes.all());
    }

    /**
     * The event catalog of cloudevents-schemas/README.md (rows {@code | [`type`](#...) | producer | consumers |
     * channel |}) names the same producing and consuming functions and the same channel as routing.yaml.
     */
    @Test
    void routesAgreeWithTheEventCatalogOfTheContracts() throws IOException {
        Path catalog = ProjectLayout.root().resolve("cloudevents-schemas/README.md");
        assumeTrue(Files.isRegularFile(catalog),
                "not checked yet: cloudevents-schemas/README.md does not exist");
        Pattern row = Pattern.compile(
                "^\\|\\s*\\[?`(dev\\.snapflow\\.[a-z.]+\\.v[0-9]+)`\\]?[^|]*\\|([^|]*)\\|([^|]*)\\|([^|]*)\\|");
        Map<String, String> catalogued = new TreeMap<>();
        for (String line : Files.readAllLines(catalog)) {
            Matcher m = row.matcher(line);
            if (m.find()) {
                String channel = m.group(4).contains("snapflow-jobs") ? "jobs-topic" : "broker";
                catalogued.put(m.group(1), functionsIn(m.group(2)) + " -> " + functionsIn(m.group(3)) + " via " + channel);
            }
        }
        Map<String, String> routed = new TreeMap<>();
        for (RoutingTable.Route route : routing.routes()) {
            routed.put(route.type(), new TreeSet<>(route.producingFunctions().toList()) + " -> "
                    + new TreeSet<>(route.consumers()) + " via " + route.channel());
        }
        assertThat(catalogued).as("event catalog in cloudevents-schemas/README.md").isEqualTo(routed);
    }

    private static Set<String> functionsIn(String cell) {
        Set<String> functions = new TreeSet<>();
        for (String word : cell.split("[^a-z]+")) {
            if (ProjectLayout.FUNCTIONS.contains(word)) {
                functions.add(word);
            }
        }
        return functions;
    }

    @Test
    void routesNameOnlyDeployedFunctions() {
        for (RoutingTable.Route route : routing.routes()) {
            route.channelKind();
            assertThat(route.producers()).as("producers of %s", route.type()).isNotEmpty()
                    .allMatch(p -> p.equals(RoutingTable.EXTERNAL) || ProjectLayout.FUNCTIONS.contains(p));
            assertThat(route.consumers()).as("consumers of %s", route.type())
                    .allMatch(ProjectLayout.FUNCTIONS::contains);
        }
    }

    @ParameterizedTest(name = "overlay {0}")
    @FieldSource("OVERLAYS")
    void triggersAreExactlyTheRoutes(String overlay) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        Set<String> expected = new HashSet<>();
        for (RoutingTable.Route route : routing.routes()) {
            switch (route.channelKind()) {
                case BROKER -> route.consumers().forEach(c -> expected.add(route.type() + " -> Service/" + c));
                case JOBS_TOPIC -> expected.add(route.type() + " -> KafkaSink/" + JOBS_SINK);
            }
        }
        List<String> actual = new ArrayList<>();
        for (Trigger trigger : built.manifests().ofKind(Trigger.class)) {
            String id = Manifests.id(trigger);
            assertThat(trigger.getSpec().getBroker()).as("broker of %s", id).isEqualTo(BROKER);
            assertThat(trigger.getSpec().getFilter().getAttributes()).as("filter of %s", id).containsOnlyKeys("type");
            KReference subscriber = trigger.getSpec().getSubscriber().getRef();
            assertThat(built.manifests().contains(subscriber.getApiVersion(), subscriber.getKind(),
                    subscriber.getNamespace(), subscriber.getName()))
                    .as("subscriber %s %s of %s exists", subscriber.getKind(), subscriber.getName(), id).isTrue();
            actual.add(trigger.getSpec().getFilter().getAttributes().get("type") + " -> " + subscriber.getKind() + "/"
                    + subscriber.getName());
        }
        assertThat(actual).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
    }

    @ParameterizedTest(name = "overlay {0}")
    @FieldSource("OVERLAYS")
    void brokerIsOfClassKafkaWithItsConfig(String overlay) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        Broker broker = built.manifests().get(Broker.class, "snapflow", BROKER);
        assertThat(broker.getMetadata().getAnnotations()).containsEntry("eventing.knative.dev/broker.class", "Kafka");
        KReference config = broker.getSpec().getConfig();
        assertThat(config.getKind()).isEqualTo("ConfigMap");
        assertThat(built.configMap(config.getNamespace(), config.getName()).getData())
                .containsKeys("bootstrap.servers", "default.topic.partitions", "default.topic.replication.factor");
        assertDelivers(built, broker.getSpec().getDelivery(), "broker default");
    }

    @ParameterizedTest(name = "overlay {0}")
    @FieldSource("OVERLAYS")
    void everyDeliveryRetriesWithExponentialBackoffThenDeadLetters(String overlay) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        for (Trigger trigger : built.manifests().ofKind(Trigger.class)) {
            assertDelivers(built, trigger.getSpec().getDelivery(), Manifests.id(trigger));
        }
        for (KafkaSource source : built.manifests().ofKind(KafkaSource.class)) {
            assertDelivers(built, source.getSpec().getDelivery(), Manifests.id(source));
        }
    }

    @ParameterizedTest(name = "overlay {0}")
    @FieldSource("OVERLAYS")
    void jobMessagesTravelThroughTheJobsTopicToLaunchInOrder(String overlay) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        List<RoutingTable.Route> jobRoutes = routing.routes().stream()
                .filter(r -> r.channelKind() == RoutingTable.Channel.JOBS_TOPIC).toList();
        assertThat(jobRoutes).extracting(RoutingTable.Route::type).containsExactly(EventTypes.JOB_REQUESTED);
        RoutingTable.Route jobs = jobRoutes.getFirst();

        Trigger forward = built.manifests().ofKind(Trigger.class).stream()
                .filter(t -> t.getSpec().getSubscriber().getRef().getKind().equals("KafkaSink")).findFirst().orElseThrow();
        assertThat(forward.getMetadata().getAnnotations()).as("ordered hop into the jobs topic")
                .containsEntry(ORDER_ANNOTATION, "ordered");
        KafkaSink sink = built.manifests().get(KafkaSink.class, "snapflow", JOBS_SINK);
        assertThat(sink.getSpec().getTopic()).isEqualTo(JOBS_TOPIC);
        assertThat(sink.getSpec().getContentMode()).isEqualTo("binary");

        List<KafkaSource> sources = built.manifests().ofKind(KafkaSource.class);
        assertThat(sources).hasSize(1);
        KafkaSource source = sources.getFirst();
        assertThat(source.getSpec().getTopics()).containsExactly(JOBS_TOPIC);
        assertThat(source.getMetadata().getAnnotations()).containsEntry(ORDER_ANNOTATION, "ordered");
        assertThat(source.getSpec().getOrdering()).isEqualTo("ordered");
        KReference target = source.getSpec().getSink().getRef();
        assertThat(target.getKind()).isEqualTo("Service");
        assertThat(jobs.consumers()).containsExactly(target.getName());
        assertThat(built.manifests().find(Service.class, "snapflow", target.getName())).isPresent();
    }

    @ParameterizedTest(name = "overlay {0}")
    @FieldSource("OVERLAYS")
    void everyFunctionPublishesToTheBroker(String overlay) {
        BuiltOverlay built = BuiltOverlay.of(overlay);
        Set<String> bound = new HashSet<>();
        for (SinkBinding binding : built.manifests().ofKind(SinkBinding.class)) {
            var subject = binding.getSpec().getSubject();
            assertThat(subject.getApiVersion() + " " + subject.getKind()).isEqualTo("serving.knative.dev/v1 Service");
            assertThat(built.manifests().find(Service.class, "snapflow", subject.getName()))
                    .as("subject of %s", Manifests.id(binding)).isPresent();
            KReference sink = binding.getSpec().getSink().getRef();
            assertThat(sink.getKind() + "/" + sink.getName()).isEqualTo("Broker/" + BROKER);
            assertThat(bound.add(subject.getName())).as("one SinkBinding per function: %s", subject.getName()).isTrue();
        }
        // Every function relays the shared outbox, so any of them may publish any event type: all need the broker.
        assertThat(bound).containsAll(routing.publishers()).containsExactlyInAnyOrderElementsOf(ProjectLayout.FUNCTIONS);
    }

    private static void assertDelivers(BuiltOverlay built, DeliverySpec delivery, String owner) {
        assertThat(delivery).as("delivery of %s", owner).isNotNull();
        assertThat(delivery.getRetry()).as("retries of %s", owner).isPositive();
        assertThat(delivery.getBackoffPolicy()).as("backoffPolicy of %s", owner).isEqualTo("exponential");
        assertThat(Duration.parse(delivery.getBackoffDelay())).as("backoffDelay of %s", owner).isPositive();
        Destination deadLetters = delivery.getDeadLetterSink();
        assertThat(deadLetters).as("deadLetterSink of %s", owner).isNotNull();
        KReference ref = deadLetters.getRef();
        assertThat(built.manifests().contains(ref.getApiVersion(), ref.getKind(), ref.getNamespace(), ref.getName()))
                .as("dead-letter sink %s %s/%s of %s exists", ref.getKind(), ref.getNamespace(), ref.getName(), owner)
                .isTrue();
        KafkaSink sink = built.manifests().get(KafkaSink.class, ref.getNamespace(), ref.getName());
        assertThat(sink.getSpec().getTopic()).isEqualTo("snapflow-dead-letter");
    }
}
