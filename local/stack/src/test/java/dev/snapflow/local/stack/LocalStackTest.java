package dev.snapflow.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The shared stack serves real Kafka, S3 and PostgreSQL, reached with the clients the functions use. */
@Tag("database")
@ExtendWith(LocalStackExtension.class)
class LocalStackTest {

    private final LocalStack stack;

    LocalStackTest(LocalStack stack) {
        this.stack = stack;
    }

    @Test
    void recordProducedToAStackTopicIsConsumedBack() throws Exception {
        String key = "probe-" + UUID.randomUUID();
        String topic = LocalStackOptions.EVENTS_TOPIC.name();

        RecordMetadata written = KafkaProbe.produce(stack.kafka(), topic, key, "hello from " + key);
        ConsumerRecord<String, String> received = KafkaProbe.awaitRecord(stack.kafka(), topic, key);

        assertThat(received.value()).isEqualTo("hello from " + key);
        assertThat(received.partition()).isEqualTo(written.partition());
        assertThat(received.offset()).isEqualTo(written.offset());
    }

    @Test
    void stackCreatesItsTopicsWithTheirPartitionCounts() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()))) {
            Map<String, TopicDescription> topics = admin.describeTopics(
                    LocalStackOptions.DEFAULT_TOPICS.stream().map(TopicSpec::name).toList())
                    .allTopicNames().get(30, TimeUnit.SECONDS);

            Map<String, Integer> partitions = topics.values().stream()
                    .collect(Collectors.toMap(TopicDescription::name, description -> description.partitions().size()));
            assertThat(partitions).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "snapflow-events", 6, "snapflow-jobs", 6, "snapflow-dead-letter", 1));
        }
    }

    @Test
    void objectPutThroughTheS3ApiIsReadBackAndStoredUnderTheWorkDir() throws Exception {
        String key = "probe/" + UUID.randomUUID() + "/data.json";
        byte[] content = "{\"probe\":true}".getBytes(StandardCharsets.UTF_8);
        S3Endpoint s3 = stack.s3();

        try (S3Client client = s3.newClient()) {
            client.putObject(request -> request.bucket(s3.bucket()).key(key).contentType("application/json"),
                    RequestBody.fromBytes(content));
            byte[] readBack = client.getObjectAsBytes(request -> request.bucket(s3.bucket()).key(key)).asByteArray();

            assertThat(readBack).isEqualTo(content);
        }
        Path stored = stack.workDir().resolve("s3").resolve("data").resolve(s3.bucket()).resolve(key);
        assertThat(stored).exists();
        assertThat(Files.readAllBytes(stored)).isEqualTo(content);
    }

    @Test
    void databaseIsMigratedAndAnswersQueries() throws SQLException {
        try (Connection connection = stack.database().openConnection()) {
            try (Statement statement = connection.createStatement();
                 ResultSet history = statement.executeQuery(
                         "SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank")) {
                assertThat(history.next()).isTrue();
                assertThat(history.getString("version")).isEqualTo("1");
                assertThat(history.getBoolean("success")).isTrue();
            }
            int id = Math.abs(UUID.randomUUID().hashCode() % 1_000_000) + 2;
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO stack_probe (id, note) VALUES (?, ?)")) {
                insert.setInt(1, id);
                insert.setString(2, "written by a test");
                assertThat(insert.executeUpdate()).isEqualTo(1);
            }
            try (Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT id, note FROM stack_probe WHERE id IN (1, " + id + ") ORDER BY id")) {
                List<String> notes = new ArrayList<>();
                while (rows.next()) {
                    notes.add(rows.getInt("id") + ":" + rows.getString("note"));
                }
                assertThat(notes).containsExactly("1:migrated by the local stack", id + ":written by a test");
            }
        }
    }
}
