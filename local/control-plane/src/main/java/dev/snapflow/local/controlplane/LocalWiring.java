package dev.snapflow.local.controlplane;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The environment that wires the four functions to one machine's infrastructure, as {@code snapflow up} and the
 * end-to-end tests run them: the database, Kafka, the S3 API, the shared secrets, and launch's local backend
 * running the real Spark job ({@code SNAPFLOW_LOCAL_*}, see functions/launch/README.md).
 *
 * @param jobClasspath launch's {@code SNAPFLOW_LOCAL_JOB_CLASSPATH} (job jar + {@code @spark-classpath.txt})
 * @param jobsDir      launch's {@code SNAPFLOW_LOCAL_WORK_DIR}: one directory (and job.log) per job
 */
public record LocalWiring(String databaseUrl, String databaseUser, String databasePassword, String kafkaBootstrapServers,
                          String s3Endpoint, String s3Region, String s3Bucket, String s3AccessKey, String s3SecretKey,
                          String adminToken, String callbackHmacKey, String apiKeyPepper, String jobClasspath,
                          Path jobsDir) {

    /** Environment for every function. */
    public Map<String, String> common() {
        Map<String, String> env = new HashMap<>();
        env.put("SNAPFLOW_DB_URL", databaseUrl);
        env.put("SNAPFLOW_DB_USER", databaseUser);
        env.put("SNAPFLOW_DB_PASSWORD", databasePassword);
        env.put("SNAPFLOW_TRANSPORT", "kafka");
        env.put("SNAPFLOW_KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers);
        env.put("SNAPFLOW_CALLBACK_HMAC_KEY", callbackHmacKey);
        env.put("SNAPFLOW_S3_ENDPOINT", s3Endpoint);
        env.put("SNAPFLOW_S3_REGION", s3Region);
        env.put("SNAPFLOW_S3_BUCKET", s3Bucket);
        env.put("AWS_ACCESS_KEY_ID", s3AccessKey);
        env.put("AWS_SECRET_ACCESS_KEY", s3SecretKey);
        return env;
    }

    /** Environment per function, on top of {@link #common()}. */
    public Map<String, Map<String, String>> perFunction() {
        Map<String, Map<String, String>> env = new HashMap<>();
        env.put("validate", new HashMap<>(Map.of("SNAPFLOW_API_KEY_PEPPER", apiKeyPepper,
                "SNAPFLOW_ADMIN_TOKEN", adminToken)));
        env.put("launch", new HashMap<>(Map.of("SNAPFLOW_LAUNCH_BACKEND", "local",
                "SNAPFLOW_LOCAL_JOB_CLASSPATH", jobClasspath,
                "SNAPFLOW_LOCAL_WORK_DIR", jobsDir.toString())));
        env.put("enqueue", new HashMap<>());
        env.put("callback", new HashMap<>());
        return env;
    }

    /**
     * Names only what is safe to show: the passwords, keys and tokens never reach a log line. A component added later
     * stays hidden until it is listed here.
     */
    @Override
    public String toString() {
        return "LocalWiring[databaseUrl=" + databaseUrl + ", kafkaBootstrapServers=" + kafkaBootstrapServers
                + ", s3Endpoint=" + s3Endpoint + ", s3Region=" + s3Region + ", s3Bucket=" + s3Bucket + ", jobsDir="
                + jobsDir + ", secrets hidden]";
    }
}
