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

    /**
     * --follow against an API (a JDK HTTP server standing in for validate) whose log grows while the step runs and
     * whose step then ends: every byte is printed once, in order, and the command returns.
     */
    @Test
    void followPrintsTheLogAsItGrowsAndStopsWhenTheStepEnds() throws Exception {
        String full = "line 1\nline 2\nline 3\n";
        int[] polls = {0};
        com.sun.net.httpserver.HttpServer api = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body;
            String type = "application/json";
            int status = 200;
            if (path.endsWith("/log")) {
                int visible = Math.min(full.length(), 7 * ++polls[0]); // the log grows by 7 bytes per read
                long offset = Long.parseLong(exchange.getRequestURI().getQuery().replace("offset=", ""));
                body = full.substring((int) Math.min(offset, visible), visible).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Snapflow-Log-Size", Integer.toString(visible));
                exchange.getResponseHeaders().add("Snapflow-Next-Offset", Long.toString(Math.min(offset, visible) + body.length));
                type = "text/plain";
            } else {
                String state = polls[0] >= 4 ? "FAILED" : "RUNNING";
                body = ("{\"id\":\"p1\",\"state\":\"" + state + "\",\"steps\":[{\"step\":1,\"state\":\"" + state
                        + "\",\"attempts\":1,\"attemptHistory\":[{\"attempt\":1}]}]}").getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", type);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        api.start();
        try {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            picocli.CommandLine cli = SnapflowCli.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            int exit = cli.execute("logs", "p1", "--follow", "--url", "http://127.0.0.1:" + api.getAddress().getPort(),
                    "--api-key", "sfk_test");
            assertThat(exit).as(err.toString()).isZero();
            assertThat(out.toString()).isEqualTo(full);
        } finally {
            api.stop(0);
        }
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
