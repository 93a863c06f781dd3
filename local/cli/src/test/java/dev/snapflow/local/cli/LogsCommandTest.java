package dev.snapflow.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogsCommandTest {
    private static JsonNode process(String json) throws Exception {
        return ApiClient.JSON.readTree(json);
    }

    private static final String PIPELINE = """
            {"id":"p1","state":"FAILED","steps":[
              {"step":1,"state":"SUCCEEDED","attempts":1,"attemptHistory":[{"attempt":1,"finishedAt":"2026-12-03T10:00:00Z"}]},
              {"step":2,"state":"FAILED","attempts":3,"attemptHistory":[{"attempt":1},{"attempt":2},{"attempt":3}]},
              {"step":3,"state":"PENDING","attempts":0,"attemptHistory":[]}]}""";

    @Test
    void byDefaultTheLastStepThatRanAndItsLatestAttempt() throws Exception {
        assertThat(LogsCommand.Target.choose(process(PIPELINE), null, null)).isEqualTo(new LogsCommand.Target(2, 3));
        assertThat(LogsCommand.Target.choose(process(PIPELINE), 1, null)).isEqualTo(new LogsCommand.Target(1, 1));
        assertThat(LogsCommand.Target.choose(process(PIPELINE), 2, 1)).isEqualTo(new LogsCommand.Target(2, 1));
    }

    @Test
    void aStepOrAttemptThatDoesNotExistIsOneLine() throws Exception {
        assertThatThrownBy(() -> LogsCommand.Target.choose(process(PIPELINE), 4, null)).hasMessage("process p1 has no step 4");
        assertThatThrownBy(() -> LogsCommand.Target.choose(process(PIPELINE), 2, 4)).hasMessage("step 2 has 3 attempt(s), not 4");
        assertThatThrownBy(() -> LogsCommand.Target.choose(process(PIPELINE), 0, null)).hasMessageContaining("count from 1");
        assertThatThrownBy(() -> LogsCommand.Target.choose(process("{\"id\":\"p2\",\"steps\":[{\"step\":1,\"attemptHistory\":[]}]}"),
                null, null)).hasMessage("no step of process p2 has run yet");
    }

    @Test
    void followEndsWhenTheAttemptFinishedOrTheStepMovedOn() throws Exception {
        JsonNode p = process(PIPELINE);
        assertThat(LogsCommand.stepEnded(p, new LogsCommand.Target(1, 1))).isTrue();
        assertThat(LogsCommand.stepEnded(p, new LogsCommand.Target(2, 3))).isTrue();
        JsonNode running = process("{\"id\":\"p\",\"state\":\"RUNNING\",\"steps\":[{\"step\":1,\"state\":\"RUNNING\","
                + "\"attemptHistory\":[{\"attempt\":1}]}]}");
        assertThat(LogsCommand.stepEnded(running, new LogsCommand.Target(1, 1))).isFalse();
    }

    @Test
    void aCharacterCutBetweenTwoSlicesIsPrintedWhole() {
        StringWriter text = new StringWriter();
        LogsCommand.Utf8Printer printer = new LogsCommand.Utf8Printer(new PrintWriter(text));
        byte[] bytes = "größe €\n".getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut < bytes.length; cut++) {
            text.getBuffer().setLength(0);
            LogsCommand.Utf8Printer each = new LogsCommand.Utf8Printer(new PrintWriter(text));
            each.print(Arrays.copyOfRange(bytes, 0, cut));
            each.print(Arrays.copyOfRange(bytes, cut, bytes.length));
            assertThat(text.toString()).as("cut at %d", cut).isEqualTo("größe €\n");
        }
        printer.print(new byte[0]);
    }
}
