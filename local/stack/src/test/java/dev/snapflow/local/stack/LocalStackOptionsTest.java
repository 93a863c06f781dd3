package dev.snapflow.local.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class LocalStackOptionsTest {

    private final LocalStackOptions defaults = LocalStackOptions.defaults(Path.of("/tmp/snapflow-up"));

    @Test
    void defaultsUseTheFixedPortsDefaultTopicsAndBucket() {
        assertThat(defaults.kafkaPort()).isEqualTo(9092);
        assertThat(defaults.s3Port()).isEqualTo(9000);
        assertThat(defaults.postgresPort()).isEqualTo(5433);
        assertThat(defaults.topics()).containsExactly(
                new TopicSpec("snapflow-events", 6), new TopicSpec("snapflow-jobs", 6), new TopicSpec("snapflow-dead-letter", 1));
        assertThat(defaults.bucket()).isEqualTo("snapflow");
        assertThat(defaults.migrationLocations()).containsExactly("classpath:db/migration");
        assertThat(defaults.deleteWorkDirOnClose()).isFalse();
    }

    @Test
    void testOptionsUseFreePortsAndATemporaryWorkDirDeletedOnClose() {
        LocalStackOptions forTests = LocalStackOptions.forTests();

        assertThat(forTests.kafkaPort()).isZero();
        assertThat(forTests.s3Port()).isZero();
        assertThat(forTests.postgresPort()).isZero();
        assertThat(forTests.workDir()).startsWithRaw(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath());
        assertThat(forTests.deleteWorkDirOnClose()).isTrue();
        assertThat(LocalStackOptions.forTests().workDir()).isNotEqualTo(forTests.workDir());
    }

    @Test
    void testOptionsOnAnExternalServerUseAFreshDatabaseDroppedOnClose() {
        LocalStackOptions forTests = LocalStackOptions.forTests();

        if (forTests.embeddedDatabase()) {
            assertThat(forTests.databaseName()).isEqualTo("snapflow");
            assertThat(forTests.dropDatabaseOnClose()).isFalse();
        } else {
            assertThat(forTests.databaseName()).matches("snapflow_test_[0-9a-f]{12}");
            assertThat(forTests.databaseName()).isNotEqualTo(LocalStackOptions.forTests().databaseName());
            assertThat(forTests.dropDatabaseOnClose()).isTrue();
        }
    }

    @Test
    void withersChangeOnlyTheirValue() {
        LocalStackOptions changed = defaults.withKafkaPort(19092).withTopic("extra", 3).withBucket("other-bucket")
                .withStartupTimeout(Duration.ofSeconds(30));

        assertThat(changed.kafkaPort()).isEqualTo(19092);
        assertThat(changed.s3Port()).isEqualTo(9000);
        assertThat(changed.topics()).endsWith(new TopicSpec("extra", 3)).hasSize(4);
        assertThat(changed.bucket()).isEqualTo("other-bucket");
        assertThat(changed.startupTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(changed.s3SecretKey()).isEqualTo(defaults.s3SecretKey());
    }

    @Test
    void portOutsideTheValidRangeIsRejectedNamingTheOption() {
        assertThatThrownBy(() -> defaults.withKafkaPort(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("kafkaPort must be between 0 (a free port) and 65535, was -1");
        assertThatThrownBy(() -> defaults.withS3Port(70_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("s3Port must be between");
    }

    @Test
    void samePortForTwoComponentsIsRejected() {
        assertThatThrownBy(() -> defaults.withS3Port(9092))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("kafkaPort 9092 is also given to s3Port");
    }

    @Test
    void illegalTopicsAreRejectedNamingTheTopic() {
        assertThatThrownBy(() -> defaults.withTopic("bad topic", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'bad topic'");
        assertThatThrownBy(() -> defaults.withTopic("empty", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topic empty: partitions must be at least 1, was 0");
        assertThatThrownBy(() -> defaults.withTopic("snapflow-jobs", 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topics name snapflow-jobs twice");
    }

    @Test
    void illegalBucketIsRejected() {
        assertThatThrownBy(() -> defaults.withBucket("Snapflow_Data"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bucket must be a valid S3 bucket name");
    }

    @Test
    void databaseNameThatIsNoPlainIdentifierIsRejected() {
        assertThatThrownBy(() -> defaults.withDatabaseName("snapflow; DROP DATABASE postgres"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("databaseName must be");
    }

    @Test
    void databaseUrlOfAnotherKindIsRejectedWithoutShowingItsPassword() {
        assertThatThrownBy(() -> defaults.withDatabaseUrl("jdbc:mysql://127.0.0.1/snapflow?user=me&password=secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("databaseUrl must start with jdbc:postgresql://")
                .hasMessageNotContaining("secret");
    }

    @Test
    void emptyMigrationLocationIsRejected() {
        assertThatThrownBy(() -> defaults.withMigrationLocations(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("migrationLocations must be");
    }

    @Test
    void blankCredentialsAreRejected() {
        assertThatThrownBy(() -> defaults.withS3Credentials("", "secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("s3AccessKey must not be blank");
    }

    @Test
    void descriptionHidesThePasswordOfTheDatabaseUrl() {
        LocalStackOptions external = defaults.withDatabaseUrl("jdbc:postgresql://db:5432/snapflow?user=app&password=hunter2");

        assertThat(external.toString()).contains("password=***").doesNotContain("hunter2");
        assertThat(external.embeddedDatabase()).isFalse();
    }
}
