package dev.snapflow.local.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class NodeArgumentsTest {

    @Test
    void readsSingleAndRepeatedOptions() {
        NodeArguments arguments = NodeArguments.parse(new String[] {
            "--parent-pid", "42", "--home", "/tmp/node", "--port", "9092", "--topic", "a:6", "--topic", "b:1"});

        assertThat(arguments.parentPid()).isEqualTo(42L);
        assertThat(arguments.home()).isEqualTo(Path.of("/tmp/node"));
        assertThat(arguments.port()).isEqualTo(9092);
        assertThat(arguments.all("--topic")).containsExactly("a:6", "b:1");
    }

    @Test
    void missingOptionIsNamed() {
        NodeArguments arguments = NodeArguments.parse(new String[] {"--home", "/tmp/node"});

        assertThatThrownBy(arguments::port)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("missing required option --port");
    }

    @Test
    void portOutOfRangeOrNotANumberIsRejected() {
        assertThatThrownBy(() -> NodeArguments.parse(new String[] {"--port", "0"}).port())
                .hasMessage("--port must be between 1 and 65535, was 0");
        assertThatThrownBy(() -> NodeArguments.parse(new String[] {"--port", "ninety"}).port())
                .hasMessage("--port must be a number, was 'ninety'");
    }

    @Test
    void optionWithoutValueOrValueWithoutOptionIsRejected() {
        assertThatThrownBy(() -> NodeArguments.parse(new String[] {"--port"}))
                .hasMessage("option --port has no value");
        assertThatThrownBy(() -> NodeArguments.parse(new String[] {"9092", "--port"}))
                .hasMessage("expected an option name starting with --, got '9092'");
    }

    @Test
    void optionTheNodeDoesNotKnowIsRejected() {
        NodeArguments arguments = NodeArguments.parse(new String[] {"--port", "9000", "--bucket", "snapflow"});

        assertThatThrownBy(() -> arguments.allowOnly("--port"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown option --bucket");
    }
}
