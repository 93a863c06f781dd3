package dev.snapflow.local.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** local-stack names the mains and resources by string (it must not load them): the strings must stay true. */
class NodeProtocolTest {

    @Test
    void mainClassNamesNameTheNodes() {
        assertThat(NodeProtocol.KAFKA_MAIN).isEqualTo(KafkaNode.class.getName());
        assertThat(NodeProtocol.S3_MAIN).isEqualTo(S3Node.class.getName());
        assertThat(NodeProtocol.POSTGRES_MAIN).isEqualTo(PostgresNode.class.getName());
    }

    @Test
    void logConfigurationAndRecordedClasspathAreInTheJar() {
        ClassLoader loader = NodeProtocol.class.getClassLoader();

        assertThat(loader.getResource(NodeProtocol.LOG_CONFIGURATION.substring("classpath:".length()))).isNotNull();
        assertThat(loader.getResource(NodeProtocol.CLASSPATH_RESOURCE)).isNotNull();
    }
}
