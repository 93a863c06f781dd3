package dev.snapflow.local.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI's bad input for {@code snapflow dead-letters}: one line naming what is wrong, before any call. */
class DeadLetterCommandsTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = SnapflowCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void anIdThatIsNeitherADeadLetterNorASetAsideEventIsNamed() {
        int exit = run("dead-letters", "replay", "12", "--admin-token", "t", "--url", "http://127.0.0.1:1");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo(
                "snapflow dead-letters replay: ID must look like dl-12 (a dead letter) or outbox-34 (a set-aside event), not '12'");
    }

    @Test
    void withoutAnAdminTokenTheCommandSaysWhereToGetOne(@TempDir Path empty) {
        int exit = run("dead-letters", "list", "--admin-token", "", "--work-dir", empty.toString(),
                "--url", "http://127.0.0.1:1");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("snapflow dead-letters list: no admin token: pass --admin-token");
    }

    @Test
    void aLimitOutOfRangeIsNamed() {
        int exit = run("dead-letters", "list", "--limit", "0", "--admin-token", "t", "--url", "http://127.0.0.1:1");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("--limit must be between 1 and 1000");
    }

    @Test
    void anUnreachableApiIsOneLineNamingTheUrl() {
        int exit = run("dead-letters", "show", "dl-1", "--admin-token", "t", "--url", "http://127.0.0.1:1");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip()).startsWith("snapflow dead-letters show: cannot reach the Snapflow API at http://127.0.0.1:1/");
    }
}
