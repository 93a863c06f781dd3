package dev.snapflow.local.stack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.snapflow.local.runtime.NodeProtocol;

/** The stack's Kafka broker (KRaft, one node) in a child JVM; ready once the stack's topics exist. */
final class KafkaBroker implements AutoCloseable {

    static final String COMPONENT = "Kafka";

    private ChildNode node;
    private final KafkaEndpoint endpoint;

    private KafkaBroker(ChildNode node, KafkaEndpoint endpoint) {
        this.node = node;
        this.endpoint = endpoint;
    }

    static KafkaBroker start(LocalStackOptions options, StackLayout layout, int port, String classpath) {
        List<String> arguments = new ArrayList<>();
        for (TopicSpec topic : options.topics()) {
            arguments.add(NodeProtocol.TOPIC);
            arguments.add(topic.name() + ":" + topic.partitions());
        }
        ChildNode node = ChildNode.launch(COMPONENT, NodeProtocol.KAFKA_MAIN, "512m", layout.home(StackLayout.KAFKA),
                layout.logFile(StackLayout.KAFKA), port, arguments, classpath);
        try {
            node.awaitReady(options.startupTimeout());
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        return new KafkaBroker(node, new KafkaEndpoint("127.0.0.1:" + port));
    }

    KafkaEndpoint endpoint() {
        return endpoint;
    }

    /** SIGTERM, as a broker restart begins; {@link #startAgain} brings it back on the same port and log dir. */
    synchronized void stop() {
        node.close();
    }

    /** After {@link #stop}: the same broker again, with the data it had; returns once it is ready. */
    synchronized void startAgain(Duration timeout) {
        ChildNode fresh = node.relaunch();
        try {
            fresh.awaitReady(timeout);
        } catch (RuntimeException e) {
            fresh.close();
            throw e;
        }
        node = fresh;
    }

    @Override
    public synchronized void close() {
        node.close();
    }
}
