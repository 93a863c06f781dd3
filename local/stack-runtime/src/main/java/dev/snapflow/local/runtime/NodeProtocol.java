package dev.snapflow.local.runtime;

/**
 * What local-stack and the child mains agree on: main classes, arguments, files.
 *
 * <p>Only JDK types here: local-stack loads this class from the runtime jar while none of the runtime's own
 * dependencies (Kafka, S3Proxy, embedded PostgreSQL) are on its class path.
 */
public final class NodeProtocol {

    /** The runtime's class path, recorded at build time: absolute jar paths joined by the path separator. */
    public static final String CLASSPATH_RESOURCE = "dev/snapflow/local/runtime/classpath.txt";

    /** Log4j2 configuration of every node; not named log4j2.xml so it never configures a caller's logging. */
    public static final String LOG_CONFIGURATION = "classpath:dev/snapflow/local/runtime/log4j2-node.xml";

    public static final String KAFKA_MAIN = "dev.snapflow.local.runtime.KafkaNode";
    public static final String S3_MAIN = "dev.snapflow.local.runtime.S3Node";
    public static final String POSTGRES_MAIN = "dev.snapflow.local.runtime.PostgresNode";

    /** PID of the JVM that started the node: the node exits when that process is gone. */
    public static final String PARENT_PID = "--parent-pid";
    /** The node's own directory: its data lives in {@code home/data}, its ready marker in {@code home/ready}. */
    public static final String HOME = "--home";
    /** The port clients connect to. */
    public static final String PORT = "--port";
    /** Kafka only, repeatable: {@code name:partitions}. */
    public static final String TOPIC = "--topic";
    /** S3 only. */
    public static final String ACCESS_KEY = "--access-key";
    public static final String SECRET_KEY = "--secret-key";
    /** S3 only, repeatable: a bucket the node creates before it is ready. */
    public static final String BUCKET = "--bucket";

    /** Written by a node once it serves clients (Kafka: after its topics exist). */
    public static final String READY_FILE_NAME = "ready";
    public static final String DATA_DIRECTORY_NAME = "data";

    private NodeProtocol() {
    }
}
