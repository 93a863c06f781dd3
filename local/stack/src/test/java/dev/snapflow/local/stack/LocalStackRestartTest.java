package dev.snapflow.local.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * The fault benchmarks' restarts of the stack's servers (bench/ FaultsBenchmark): Kafka and the embedded PostgreSQL
 * stop and come back on the same port with the data they had. A stack of its own: the shared one must stay up.
 */
class LocalStackRestartTest {

    @Test
    void kafkaAndTheEmbeddedDatabaseComeBackOnTheSamePortWithTheirData() throws Exception {
        try (LocalStack stack = LocalStack.start(LocalStackOptions.forTests())) {
            String topic = LocalStackOptions.EVENTS_TOPIC.name();
            String key = "before-restart-" + UUID.randomUUID();
            String bootstrap = stack.kafka().bootstrapServers();
            KafkaProbe.produce(stack.kafka(), topic, key, "kept");
            try (Connection connection = stack.database().openConnection(); Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE restart_probe (value TEXT)");
                statement.execute("INSERT INTO restart_probe VALUES ('kept')");
            }

            stack.stopKafka();
            stack.startKafka();
            stack.stopDatabaseServer();
            assertThatThrownBy(() -> stack.database().openConnection().close()).isInstanceOf(SQLException.class);
            stack.startDatabaseServer();

            assertThat(stack.kafka().bootstrapServers()).isEqualTo(bootstrap);
            assertThat(KafkaProbe.awaitRecord(stack.kafka(), topic, key).value()).isEqualTo("kept");
            try (Connection connection = stack.database().openConnection(); Statement statement = connection.createStatement();
                 ResultSet row = statement.executeQuery("SELECT value FROM restart_probe")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString(1)).isEqualTo("kept");
            }
        }
    }
}
