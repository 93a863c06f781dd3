package dev.snapflow.functions.shared.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The functions' logback.xml without SNAPFLOW_LOG_FORMAT (bin/snapflow up): text lines with the date and, when known,
 * the ids. (The JSON lines are shown by ObservabilityTest in functions/integration-tests, on the function JVMs.)
 */
class TextLogLinesTest {

    @Test
    void textLinesCarryTheDateAndTheIdsWhenKnown() throws Exception {
        assertThat(System.getenv("SNAPFLOW_LOG_FORMAT")).as("this test shows the default").isNull();
        PrintStream console = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        // the same MDC as the application's (LogContext writes it)
        context.setMDCAdapter(org.slf4j.MDC.getMDCAdapter());
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(getClass().getResource("/logback.xml"));
            try (LogContext ids = LogContext.open().tenant("acme").jobId("sf-0b5f5e3c1f0e4c479d2a7b7f6f1e2a10-s2-a1")) {
                context.getLogger("dev.snapflow.Example").info("with ids");
            }
            context.getLogger("dev.snapflow.Example").info("without ids");
        } finally {
            System.setOut(console);
            context.stop();
        }
        String[] lines = captured.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) INFO  \\[[^]]+] "
                        + "dev\\.snapflow\\.Example \\[.*] - with ids")
                .contains("tenant=acme").contains("jobId=sf-0b5f5e3c1f0e4c479d2a7b7f6f1e2a10-s2-a1")
                .contains("processId=0b5f5e3c-1f0e-4c47-9d2a-7b7f6f1e2a10");
        assertThat(lines[1]).endsWith("dev.snapflow.Example - without ids");
    }
}
