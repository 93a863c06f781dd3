package dev.snapflow.local.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What {@link LocalStack#start} starts. Build from {@link #forTests()} or {@link #defaults(Path)} and adjust with the
 * {@code with...} methods; every value is checked here, so bad options fail before anything starts.
 *
 * @param workDir logs and data of every component: {@code logs/}, {@code kafka/}, {@code s3/}, {@code postgresql/}
 * @param deleteWorkDirOnClose delete {@code workDir} after a clean {@link LocalStack#close()} (kept when start fails,
 *     for its logs)
 * @param kafkaPort the broker's port; 0 takes a free port
 * @param s3Port the S3 API's port; 0 takes a free port
 * @param postgresPort the embedded PostgreSQL server's port; 0 takes a free port; unused with {@code databaseUrl}
 * @param databaseUrl a {@code jdbc:postgresql://} URL of a server to use instead of the embedded one, or null
 * @param databaseName the database the stack creates (if missing) and migrates; null means the database named in
 *     {@code databaseUrl}, or {@value #DEFAULT_DATABASE}
 * @param dropDatabaseOnClose drop {@code databaseName} on close (for a throwaway test database on a shared server)
 * @param migrationLocations Flyway locations, e.g. {@code classpath:db/migration}
 * @param topics the Kafka topics the stack creates
 * @param bucket the S3 bucket the stack creates
 * @param startupTimeout how long each component may take to become ready
 */
public record LocalStackOptions(
        Path workDir,
        boolean deleteWorkDirOnClose,
        int kafkaPort,
        int s3Port,
        int postgresPort,
        String databaseUrl,
        String databaseName,
        boolean dropDatabaseOnClose,
        List<String> migrationLocations,
        List<TopicSpec> topics,
        String bucket,
        String s3Region,
        String s3AccessKey,
        String s3SecretKey,
        Duration startupTimeout) {

    /** Environment variable naming a PostgreSQL server to use instead of the embedded one. */
    public static final String DATABASE_URL_ENV = "SNAPFLOW_DB_URL";

    public static final int DEFAULT_KAFKA_PORT = 9092;
    public static final int DEFAULT_S3_PORT = 9000;
    public static final int DEFAULT_POSTGRES_PORT = 5433;
    public static final String DEFAULT_DATABASE = "snapflow";
    public static final String DEFAULT_BUCKET = "snapflow";
    public static final String DEFAULT_MIGRATION_LOCATION = "classpath:db/migration";
    public static final String DEFAULT_S3_REGION = "us-east-1";
    public static final String DEFAULT_S3_ACCESS_KEY = "snapflow";
    public static final String DEFAULT_S3_SECRET_KEY = "snapflow-local-secret";
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(2);

    /** All CloudEvents of the control plane, as a Knative Kafka broker's topic. */
    public static final TopicSpec EVENTS_TOPIC = new TopicSpec("snapflow-events", 6);
    /** job.requested messages for launch, keyed by tenant/entity. */
    public static final TopicSpec JOBS_TOPIC = new TopicSpec("snapflow-jobs", 6);
    /** Events that could not be delivered. */
    public static final TopicSpec DEAD_LETTER_TOPIC = new TopicSpec("snapflow-dead-letter", 1);
    public static final List<TopicSpec> DEFAULT_TOPICS = List.of(EVENTS_TOPIC, JOBS_TOPIC, DEAD_LETTER_TOPIC);

    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    public LocalStackOptions {
        if (workDir == null) {
            throw new IllegalArgumentException("workDir is required");
        }
        workDir = workDir.toAbsolutePath().normalize();
        checkPort("kafkaPort", kafkaPort);
        checkPort("s3Port", s3Port);
        checkPort("postgresPort", postgresPort);
        if (databaseUrl != null) {
            PostgresServerUrl.parse(databaseUrl, "databaseUrl");
        }
        checkDistinctFixedPorts(kafkaPort, s3Port, databaseUrl == null ? postgresPort : 0);
        if (databaseName != null && !DATABASE_NAME.matcher(databaseName).matches()) {
            throw new IllegalArgumentException(
                    "databaseName must be 1-63 lower-case letters, digits or '_' not starting with a digit, was '" + databaseName + "'");
        }
        if (migrationLocations == null || migrationLocations.stream().anyMatch(location -> location == null || location.isBlank())) {
            throw new IllegalArgumentException("migrationLocations must be a list of non-blank Flyway locations, was " + migrationLocations);
        }
        migrationLocations = List.copyOf(migrationLocations);
        if (topics == null || topics.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("topics must be a list of topics, was " + topics);
        }
        Set<String> topicNames = new HashSet<>();
        for (TopicSpec topic : topics) {
            if (!topicNames.add(topic.name())) {
                throw new IllegalArgumentException("topics name " + topic.name() + " twice");
            }
        }
        topics = List.copyOf(topics);
        if (bucket == null || !BUCKET_NAME.matcher(bucket).matches() || bucket.contains("..")) {
            throw new IllegalArgumentException("bucket must be a valid S3 bucket name (3-63 lower-case letters, digits, '.' or '-'), was '" + bucket + "'");
        }
        requireNonBlank("s3Region", s3Region);
        requireNonBlank("s3AccessKey", s3AccessKey);
        requireNonBlank("s3SecretKey", s3SecretKey);
        if (startupTimeout == null || startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new IllegalArgumentException("startupTimeout must be positive, was " + startupTimeout);
        }
    }

    /**
     * For tests: free ports, a new temporary work dir deleted on close. With {@code SNAPFLOW_DB_URL} set, a fresh
     * database {@code snapflow_test_<random>} on that server, dropped on close, so test runs never see each other's
     * rows; otherwise database {@value #DEFAULT_DATABASE} on a new embedded server.
     */
    public static LocalStackOptions forTests() {
        String databaseUrl = databaseUrlFromEnvironment();
        Path workDir = Path.of(System.getProperty("java.io.tmpdir"), "snapflow-stack-" + randomSuffix());
        return new LocalStackOptions(workDir, true, 0, 0, 0, databaseUrl,
                databaseUrl == null ? DEFAULT_DATABASE : "snapflow_test_" + randomSuffix(), databaseUrl != null,
                List.of(DEFAULT_MIGRATION_LOCATION), DEFAULT_TOPICS, DEFAULT_BUCKET,
                DEFAULT_S3_REGION, DEFAULT_S3_ACCESS_KEY, DEFAULT_S3_SECRET_KEY, DEFAULT_STARTUP_TIMEOUT);
    }

    /**
     * For {@code snapflow up}: fixed ports (Kafka {@value #DEFAULT_KAFKA_PORT}, S3 {@value #DEFAULT_S3_PORT}, embedded
     * PostgreSQL {@value #DEFAULT_POSTGRES_PORT}), data kept in {@code workDir} between runs, and the server of
     * {@code SNAPFLOW_DB_URL} when it is set.
     */
    public static LocalStackOptions defaults(Path workDir) {
        return new LocalStackOptions(workDir, false, DEFAULT_KAFKA_PORT, DEFAULT_S3_PORT, DEFAULT_POSTGRES_PORT,
                databaseUrlFromEnvironment(), null, false, List.of(DEFAULT_MIGRATION_LOCATION), DEFAULT_TOPICS,
                DEFAULT_BUCKET, DEFAULT_S3_REGION, DEFAULT_S3_ACCESS_KEY, DEFAULT_S3_SECRET_KEY, DEFAULT_STARTUP_TIMEOUT);
    }

    public LocalStackOptions withWorkDir(Path value) {
        return new LocalStackOptions(value, deleteWorkDirOnClose, kafkaPort, s3Port, postgresPort, databaseUrl, databaseName,
                dropDatabaseOnClose, migrationLocations, topics, bucket, s3Region, s3AccessKey, s3SecretKey, startupTimeout);
    }

    public LocalStackOptions withDeleteWorkDirOnClose(boolean value) {
        return new LocalStackOptions(workDir, value, kafkaPort, s3Port, postgresPort, databaseUrl, databaseName,
                dropDatabaseOnClose, migrationLocations, topics, bucket, s3Region, s3AccessKey, s3SecretKey, startupTimeout);
    }

    public LocalStackOptions withKafkaPort(int value) {
        return new LocalStackOptions(workDir, deleteWorkDirOnClose, value, s3Port, postgresPort, databaseUrl, databaseName,
                dropDatabaseOnClose, migrationLocations, topics, bucket, s3Region, s3AccessKey, s3SecretKey, startupTimeout);
    }

    public LocalStackOptions withS3Port(int value) {
        return new LocalStackOptions(workDir, deleteWorkDirOnClose, kafkaPort, value, postgresPort, databaseUrl, databaseName,
                dropDatabaseOnClose, migrationLocations, topics, bucket, s3Region, s3AccessKey, s3SecretKey, startupTimeout);
    }

    public LocalStackOptions withPostgresPort(int value) {
        return new LocalStackOptions(workDir, deleteWorkDirOnClose, kafkaPort, s3Port, value, databaseUrl, databaseName,
                dropDatabaseOnClose, migrationLocations, topics, bucket, s3Region, s3AccessKey, s3SecretKey, startupTimeout);
    }

    /** @param value a {@code jdbc:postgresql://} URL, or null for the embedded server */
    public LocalStackOptions withDatabaseUrl(String value) {
        return new LocalStackOptions(workDir, deleteWorkDirOnClose, kafkaPort, s3Port, postgresPort, value, databaseName,
                dropDatabaseOnClose, migrationLocations, topics, bucket, s3Region, s3AccessKey, s3SecretKey, startupTimeout);
    }

    public LocalStackOptions withDatabaseName(String value) {
        return new LocalStackOptions(workDir, deleteWorkDirOnClose, kafkaPort, s3Port, postgresPort, databaseUrl, value,
                dropDatabaseOnClose, migrationLocations, topics, bucket, s3Region, s3AccessKey, s3SecretKey, startupTimeout);
    }

    public LocalStackOptions withDropDatabaseOnClose(boolean value) {
        return new LocalStackOptions(workDir, deleteWorkDirOnClose, kafkaPort, s3Port, postgresPort, databaseUrl, databaseName,
                value, migrationLocations, topics, bucket, s3Region, s3AccessKey, s3SecretKey, startupTimeout);
    }

    public LocalStackOptions withMigrationLocations(String... value) {
        return new LocalStackOptions(workDir, deleteWorkDirOnClose, kafkaPort, s3Port, postgresPort, databaseUrl, databaseName,
                dropDatabaseOnClose, List.of(value), topics, bucket, s3Region, s3AccessKey, s3SecretKey, startupTimeout);
    }

    /** Replaces the topics. */
    public LocalStackOptions withTopics(List<TopicSpec> value) {
        return new LocalStackOptions(workDir, deleteWorkDirOnClose, kafkaPort, s3Port, postgresPort, databaseUrl, databaseName,
                dropDatabaseOnClose, migrationLocations, value, bucket, s3Region, s3AccessKey, s3SecretKey, startupTimeout);
    }

    /** Adds a topic to the ones already configured. */
    public LocalStackOptions withTopic(String name, int partitions) {
        List<TopicSpec> more = new ArrayList<>(topics);
        more.add(new TopicSpec(name, partitions));
        return withTopics(more);
    }

    public LocalStackOptions withBucket(String value) {
        return new LocalStackOptions(workDir, deleteWorkDirOnClose, kafkaPort, s3Port, postgresPort, databaseUrl, databaseName,
                dropDatabaseOnClose, migrationLocations, topics, value, s3Region, s3AccessKey, s3SecretKey, startupTimeout);
    }

    public LocalStackOptions withS3Region(String value) {
        return new LocalStackOptions(workDir, deleteWorkDirOnClose, kafkaPort, s3Port, postgresPort, databaseUrl, databaseName,
                dropDatabaseOnClose, migrationLocations, topics, bucket, value, s3AccessKey, s3SecretKey, startupTimeout);
    }

    public LocalStackOptions withS3Credentials(String accessKey, String secretKey) {
        return new LocalStackOptions(workDir, deleteWorkDirOnClose, kafkaPort, s3Port, postgresPort, databaseUrl, databaseName,
                dropDatabaseOnClose, migrationLocations, topics, bucket, s3Region, accessKey, secretKey, startupTimeout);
    }

    public LocalStackOptions withStartupTimeout(Duration value) {
        return new LocalStackOptions(workDir, deleteWorkDirOnClose, kafkaPort, s3Port, postgresPort, databaseUrl, databaseName,
                dropDatabaseOnClose, migrationLocations, topics, bucket, s3Region, s3AccessKey, s3SecretKey, value);
    }

    /** Whether the stack runs its own PostgreSQL server. */
    public boolean embeddedDatabase() {
        return databaseUrl == null;
    }

    @Override
    public String toString() {
        // The database URL may carry a password.
        return "LocalStackOptions[workDir=" + workDir + ", kafkaPort=" + kafkaPort + ", s3Port=" + s3Port
                + ", postgresPort=" + postgresPort + ", databaseUrl=" + PostgresServerUrl.redact(databaseUrl)
                + ", databaseName=" + databaseName + ", topics=" + topics + ", bucket=" + bucket + "]";
    }

    private static String databaseUrlFromEnvironment() {
        String value = System.getenv(DATABASE_URL_ENV);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            PostgresServerUrl.parse(value.strip(), DATABASE_URL_ENV);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (from the environment)", e);
        }
        return value.strip();
    }

    private static String randomSuffix() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static void checkPort(String name, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(name + " must be between 0 (a free port) and 65535, was " + port);
        }
    }

    private static void checkDistinctFixedPorts(int kafka, int s3, int postgres) {
        if (kafka != 0 && (kafka == s3 || kafka == postgres)) {
            throw new IllegalArgumentException("kafkaPort " + kafka + " is also given to " + (kafka == s3 ? "s3Port" : "postgresPort"));
        }
        if (s3 != 0 && s3 == postgres) {
            throw new IllegalArgumentException("s3Port " + s3 + " is also given to postgresPort");
        }
    }

    private static void requireNonBlank(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
