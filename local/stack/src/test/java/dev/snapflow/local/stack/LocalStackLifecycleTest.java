package dev.snapflow.local.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Starting and stopping stacks: clear failures, and no process left behind in any case. */
@ExtendWith(LocalStackExtension.class)
class LocalStackLifecycleTest {

    @Test
    void secondStackOnTheKafkaPortInUseFailsNamingPortAndComponent(LocalStack running) {
        int kafkaPort = portOf(running.kafka().bootstrapServers());
        Set<Long> before = descendantPids();
        LocalStackOptions options = LocalStackOptions.forTests().withKafkaPort(kafkaPort);

        assertThatThrownBy(() -> LocalStack.start(options))
                .isInstanceOf(LocalStackStartException.class)
                .hasMessage("port " + kafkaPort + " for Kafka is already in use")
                .satisfies(failure -> assertThat(((LocalStackStartException) failure).component()).isEqualTo("Kafka"));
        assertThat(descendantPids()).isEqualTo(before);
        deleteRecursively(options.workDir());
    }

    @Test
    void secondStackOnTheS3PortInUseFailsNamingPortAndComponent(LocalStack running) {
        int s3Port = running.s3().endpoint().getPort();
        LocalStackOptions options = LocalStackOptions.forTests().withS3Port(s3Port);

        assertThatThrownBy(() -> LocalStack.start(options))
                .isInstanceOf(LocalStackStartException.class)
                .hasMessage("port " + s3Port + " for S3 is already in use");
        deleteRecursively(options.workDir());
    }

    /** The port was free when checked but taken before the node bound it: the node's own failure names the port. */
    @Test
    void nodeFindingItsPortTakenReportsPortAndComponent(@TempDir Path workDir) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            LocalStackOptions options = LocalStackOptions.forTests().withWorkDir(workDir);

            assertThatThrownBy(() -> S3Server.start(options, StackLayout.create(workDir), port, NodeClasspath.resolve()))
                    .isInstanceOf(LocalStackStartException.class)
                    .hasMessageStartingWith("port " + port + " for S3 is already in use; see " + workDir.resolve("logs"))
                    .satisfies(failure -> assertThat(((LocalStackStartException) failure).isPortInUse()).isTrue());
        }
    }

    @Test
    void closeStopsEveryChildProcessAndDeletesTheTemporaryWorkDir() throws IOException {
        Set<Long> before = descendantPids();
        LocalStack stack = LocalStack.start(LocalStackOptions.forTests());
        Set<Long> started = difference(descendantPids(), before);
        Optional<ProcessHandle> postmaster = embeddedPostmaster(stack.workDir());
        assertThat(started).hasSize(stack.options().embeddedDatabase() ? 3 : 2);
        assertThat(postmaster.isPresent()).isEqualTo(stack.options().embeddedDatabase());

        stack.close();

        assertThat(difference(descendantPids(), before)).isEmpty();
        postmaster.ifPresent(server -> assertThat(server.isAlive()).as("embedded PostgreSQL server").isFalse());
        assertThat(stack.workDir()).doesNotExist();
        stack.close();
    }

    @Test
    void failedMigrationStopsWhatStartedAndNamesPostgresql() {
        Set<Long> before = descendantPids();
        LocalStackOptions options = LocalStackOptions.forTests().withMigrationLocations("classpath:db/broken-migration");

        assertThatThrownBy(() -> LocalStack.start(options))
                .isInstanceOf(LocalStackStartException.class)
                .hasMessageContaining("migrating database")
                .hasMessageContaining("classpath:db/broken-migration")
                .satisfies(failure -> assertThat(((LocalStackStartException) failure).component()).isEqualTo("PostgreSQL"));

        assertThat(difference(descendantPids(), before)).isEmpty();
        // Kept for its logs: a failed start does not delete the work dir.
        assertThat(options.workDir().resolve("logs").resolve("kafka.log")).exists();
        deleteRecursively(options.workDir());
    }

    /** What `snapflow up` relies on: a restart keeps the Kafka log, the objects and the rows, and adds new topics. */
    @Test
    void restartOnTheSameWorkDirKeepsRecordsObjectsAndRows() throws Exception {
        Path workDir = Files.createTempDirectory("snapflow-stack-restart-");
        LocalStackOptions options = LocalStackOptions.forTests().withWorkDir(workDir).withDeleteWorkDirOnClose(false)
                .withDatabaseUrl(null).withDatabaseName(LocalStackOptions.DEFAULT_DATABASE).withDropDatabaseOnClose(false);
        String key = "restart-" + UUID.randomUUID();
        String topic = LocalStackOptions.JOBS_TOPIC.name();
        try {
            try (LocalStack first = LocalStack.start(options)) {
                KafkaProbe.produce(first.kafka(), topic, key, "kept");
                try (S3Client s3 = first.s3().newClient()) {
                    s3.putObject(request -> request.bucket(first.s3().bucket()).key(key), RequestBody.fromString("kept"));
                }
                try (Connection connection = first.database().openConnection();
                     Statement statement = connection.createStatement()) {
                    statement.executeUpdate("INSERT INTO stack_probe (id, note) VALUES (7, '" + key + "')");
                }
            }

            try (LocalStack second = LocalStack.start(options.withTopic("snapflow-added-later", 2))) {
                assertThat(KafkaProbe.awaitRecord(second.kafka(), topic, key).value()).isEqualTo("kept");
                KafkaProbe.produce(second.kafka(), "snapflow-added-later", key, "new topic");
                try (S3Client s3 = second.s3().newClient()) {
                    assertThat(s3.getObjectAsBytes(request -> request.bucket(second.s3().bucket()).key(key)).asUtf8String())
                            .isEqualTo("kept");
                }
                try (Connection connection = second.database().openConnection();
                     Statement statement = connection.createStatement();
                     ResultSet rows = statement.executeQuery(
                             "SELECT (SELECT note FROM stack_probe WHERE id = 7), (SELECT count(*) FROM flyway_schema_history)")) {
                    assertThat(rows.next()).isTrue();
                    assertThat(rows.getString(1)).isEqualTo(key);
                    assertThat(rows.getInt(2)).as("migrations applied once").isEqualTo(1);
                }
            }
        } finally {
            deleteRecursively(workDir);
        }
    }

    /** A test JVM killed with SIGKILL runs no shutdown hook: the nodes notice their parent is gone and stop. */
    @Test
    void nodesOfAKilledJvmStopOnTheirOwn() throws IOException {
        Path stderr = Files.createTempFile("stack-holder", ".log");
        Process holder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                StackHolder.class.getName())
                .redirectError(stderr.toFile())
                .start();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread.ofPlatform().daemon().start(() -> readLines(holder, output));
        try {
            await().atMost(Duration.ofMinutes(3))
                    .failFast("the stack holder exited; see " + stderr, () -> !holder.isAlive())
                    .until(() -> output.stream().anyMatch(line -> line.startsWith(StackHolder.READY)));
            Path workDir = Path.of(output.stream().filter(line -> line.startsWith(StackHolder.READY)).findFirst()
                    .orElseThrow().substring(StackHolder.READY.length()).strip());
            List<ProcessHandle> nodes = holder.descendants().toList();
            ProcessHandle postmaster = embeddedPostmaster(workDir).orElseThrow();
            assertThat(nodes).hasSize(3);

            holder.destroyForcibly();

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(nodes).noneMatch(ProcessHandle::isAlive);
                assertThat(postmaster.isAlive()).as("embedded PostgreSQL server").isFalse();
            });
            deleteRecursively(workDir);
        } finally {
            holder.destroyForcibly();
            Files.deleteIfExists(stderr);
        }
    }

    private static void readLines(Process process, List<String> into) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                into.add(line);
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private static Optional<ProcessHandle> embeddedPostmaster(Path workDir) throws IOException {
        Path pidFile = workDir.resolve("postgresql").resolve("data").resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        long pid = Long.parseLong(Files.readAllLines(pidFile).getFirst().strip());
        return ProcessHandle.of(pid);
    }

    private static Set<Long> descendantPids() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    private static Set<Long> difference(Set<Long> after, Set<Long> before) {
        return after.stream().filter(pid -> !before.contains(pid)).collect(Collectors.toSet());
    }

    private static int portOf(String bootstrapServers) {
        return Integer.parseInt(bootstrapServers.substring(bootstrapServers.lastIndexOf(':') + 1));
    }

    private static void deleteRecursively(Path directory) {
        if (Files.exists(directory)) {
            new StackLayout(directory).deleteAll();
        }
    }
}
