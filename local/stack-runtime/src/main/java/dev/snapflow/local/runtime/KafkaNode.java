package dev.snapflow.local.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Apache Kafka broker in KRaft mode (broker and controller in one process).
 *
 * <p>Formats the storage directory on first start (later starts keep their data), runs the broker through
 * Kafka's own main, creates the requested topics and then marks itself ready.
 */
public final class KafkaNode {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaNode.class);
    private static final long TOPIC_SETUP_TIMEOUT_SECONDS = 120;

    private KafkaNode() {
    }

    public static void main(String[] args) {
        try {
            NodeArguments arguments = NodeArguments.parse(args).allowOnly(
                    NodeProtocol.PARENT_PID, NodeProtocol.HOME, NodeProtocol.PORT, NodeProtocol.TOPIC);
            ParentWatchdog.watch(arguments.parentPid(), "Kafka");
            NodeHome home = new NodeHome(arguments.home());
            int port = arguments.port();
            Map<String, Integer> topics = topics(arguments.all(NodeProtocol.TOPIC));

            Path config = writeServerProperties(home, port, freeLocalPort());
            formatStorageIfNew(home, config);
            Thread.ofPlatform().daemon().name("topic-setup").start(() -> createTopicsThenMarkReady(home, port, topics));
            // Blocks until the broker shuts down; Kafka's shutdown hook stops it on SIGTERM or System.exit.
            kafka.Kafka.main(new String[] {config.toString()});
        } catch (RuntimeException | IOException e) {
            LOG.error("Kafka node failed to start", e);
            System.exit(1);
        }
    }

    private static Map<String, Integer> topics(List<String> specs) {
        Map<String, Integer> topics = new LinkedHashMap<>();
        for (String spec : specs) {
            int colon = spec.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(NodeProtocol.TOPIC + " must be name:partitions, was '" + spec + "'");
            }
            topics.put(spec.substring(0, colon), Integer.parseInt(spec.substring(colon + 1)));
        }
        return topics;
    }

    /** The controller listener is internal to this process, so it takes any free port on each start. */
    private static int freeLocalPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Path writeServerProperties(NodeHome home, int port, int controllerPort) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("process.roles", "broker,controller");
        properties.setProperty("node.id", "1");
        // A static voter set: the controller port may differ between starts of the same data directory.
        properties.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        properties.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        properties.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        properties.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        properties.setProperty("controller.listener.names", "CONTROLLER");
        properties.setProperty("inter.broker.listener.name", "PLAINTEXT");
        properties.setProperty("log.dirs", home.dataDirectory().toString());
        // Topics are created by the stack; a misspelt topic name must fail instead of creating a new topic.
        properties.setProperty("auto.create.topics.enable", "false");
        properties.setProperty("num.partitions", "1");
        properties.setProperty("offsets.topic.replication.factor", "1");
        properties.setProperty("offsets.topic.num.partitions", "1");
        properties.setProperty("transaction.state.log.replication.factor", "1");
        properties.setProperty("transaction.state.log.min.isr", "1");
        properties.setProperty("transaction.state.log.num.partitions", "1");
        properties.setProperty("share.coordinator.state.topic.replication.factor", "1");
        properties.setProperty("share.coordinator.state.topic.min.isr", "1");
        properties.setProperty("share.coordinator.state.topic.num.partitions", "1");
        properties.setProperty("group.initial.rebalance.delay.ms", "0");
        // The log cleaner's default 128 MiB dedupe buffer would take a quarter of this node's heap.
        properties.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        Path config = home.directory().resolve("server.properties");
        Files.createDirectories(home.directory());
        try (OutputStream out = Files.newOutputStream(config)) {
            properties.store(out, "Written by the Snapflow local stack on each start");
        }
        return config;
    }

    private static void formatStorageIfNew(NodeHome home, Path config) throws IOException {
        if (Files.exists(home.dataDirectory().resolve("meta.properties"))) {
            LOG.info("Storage in {} is already formatted", home.dataDirectory());
            return;
        }
        home.createDataDirectory();
        String clusterId = Uuid.randomUuid().toString();
        LOG.info("Formatting storage in {} for cluster {}", home.dataDirectory(), clusterId);
        PrintStream output = new PrintStream(System.out, true);
        int exitCode = kafka.tools.StorageTool.execute(
                new String[] {"format", "--cluster-id", clusterId, "--config", config.toString()}, output);
        if (exitCode != 0) {
            throw new IllegalStateException("formatting Kafka storage in " + home.dataDirectory() + " failed with exit code " + exitCode);
        }
    }

    private static void createTopicsThenMarkReady(NodeHome home, int port, Map<String, Integer> topics) {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TOPIC_SETUP_TIMEOUT_SECONDS));
        try (Admin admin = Admin.create(config)) {
            Set<String> existing = admin.listTopics().names().get(TOPIC_SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            List<String> present = new ArrayList<>();
            topics.forEach((name, partitions) -> {
                if (existing.contains(name)) {
                    present.add(name);
                } else {
                    missing.add(new NewTopic(name, partitions, (short) 1));
                }
            });
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(TOPIC_SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                LOG.info("Created topics {}", missing.stream().map(NewTopic::name).toList());
            }
            growPartitions(admin, present, topics);
            awaitLeaders(admin, topics.keySet());
            home.markReady("kafka 127.0.0.1:" + port);
            LOG.info("Kafka node ready on 127.0.0.1:{} with topics {}", port, topics);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.error("Kafka node could not create its topics; stopping", e);
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Created topics are committed by the controller before the broker has loaded them: until it has, producers get
     * NOT_LEADER_OR_FOLLOWER. Ready means every partition has its leader in the broker's metadata.
     */
    private static void awaitLeaders(Admin admin, Set<String> topics)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TOPIC_SETUP_TIMEOUT_SECONDS);
        while (true) {
            Map<String, TopicDescription> descriptions =
                    admin.describeTopics(topics).allTopicNames().get(TOPIC_SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            boolean allLed = descriptions.values().stream()
                    .flatMap(description -> description.partitions().stream())
                    .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
            if (allLed) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + topics + " have no leader after "
                        + TOPIC_SETUP_TIMEOUT_SECONDS + " s");
            }
            Thread.sleep(50);
        }
    }

    /** A topic kept from an earlier start gets more partitions if the stack now asks for more. */
    private static void growPartitions(Admin admin, List<String> present, Map<String, Integer> wanted)
            throws ExecutionException, InterruptedException, TimeoutException {
        if (present.isEmpty()) {
            return;
        }
        Map<String, TopicDescription> descriptions =
                admin.describeTopics(present).allTopicNames().get(TOPIC_SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<String, NewPartitions> increases = new LinkedHashMap<>();
        descriptions.forEach((name, description) -> {
            int want = wanted.get(name);
            if (description.partitions().size() < want) {
                increases.put(name, NewPartitions.increaseTo(want));
            }
        });
        if (!increases.isEmpty()) {
            admin.createPartitions(increases).all().get(TOPIC_SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            LOG.info("Increased partitions of {}", increases.keySet());
        }
    }
}
