package dev.snapflow.local.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class SnapflowCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = SnapflowCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void upReportsAFunctionPortInUseByNameAndStartsNothing(@TempDir Path workDir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int exit = run("up", "--work-dir", workDir.toString(), "--kafka-port", "0", "--s3-port", "0",
                    "--postgres-port", "0", "--validate-port", "0", "--enqueue-port", "0", "--launch-port", "0",
                    "--callback-port", Integer.toString(taken.getLocalPort()));

            assertThat(exit).isEqualTo(1);
            assertThat(err.toString()).contains("snapflow up: port " + taken.getLocalPort() + " for callback is already in use");
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                .as("child processes left running").isEmpty();
        assertThat(workDir.resolve(RunningStack.PID_FILE)).doesNotExist();
    }

    @Test
    void upRefusesToStartASecondStackFromTheSameWorkDir(@TempDir Path workDir) throws Exception {
        Files.writeString(workDir.resolve(RunningStack.PID_FILE), Long.toString(ProcessHandle.current().pid()));

        int exit = run("up", "--work-dir", workDir.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("snapflow up: a stack is already running from").contains("snapflow down");
    }

    @Test
    void downWithoutARunningStackSaysSoAndSucceeds(@TempDir Path workDir) {
        int exit = run("down", "--work-dir", workDir.toString());

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("No Snapflow stack is running from");
    }

    @Test
    void keyCommandsWithoutAnAdminTokenSayWhereOneComesFrom(@TempDir Path workDir) {
        for (String[] command : new String[][] {{"list", "acme"}, {"create", "acme"}, {"revoke", "acme", "some-key-id"}}) {
            err.getBuffer().setLength(0);
            String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("tenant", "keys"),
                    java.util.stream.Stream.concat(java.util.Arrays.stream(command), java.util.stream.Stream.of(
                            "--admin-token", "", "--work-dir", workDir.toString(), "--url", "http://127.0.0.1:1")))
                    .toArray(String[]::new);

            assertThat(run(args)).as(String.join(" ", command)).isEqualTo(1);
            assertThat(err.toString()).as(String.join(" ", command)).contains("no admin token: pass --admin-token");
        }
    }

    @Test
    void listingKeysOfAnUnreachableApiIsOneLineNamingTheUrl() {
        int exit = run("tenant", "keys", "list", "acme", "--admin-token", "token", "--url", "http://127.0.0.1:1");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("cannot reach the Snapflow API at http://127.0.0.1:1").hasLineCount(1);
    }

    @Test
    void anUnknownCommandIsANamedUsageError() {
        int exit = run("launch-rockets");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument").contains("launch-rockets");
    }

    @Test
    void aReadCommandWithoutAnApiKeyNamesTheMissingKey() {
        int exit = run("list", "--api-key", "", "--url", "http://127.0.0.1:1");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("snapflow list: no API key: pass --api-key or set SNAPFLOW_API_KEY");
    }

    @Test
    void anUnreachableApiIsOneLineNamingTheUrl() {
        int exit = run("status", "some-id", "--api-key", "sfk_x", "--url", "http://127.0.0.1:1");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo(
                "snapflow status: cannot reach the Snapflow API at http://127.0.0.1:1/ (is `snapflow up` running? --url)");
    }

    @Test
    void submitRefusesParamsThatAreNotJsonBeforeCallingTheApi() {
        int exit = run("submit", "--api-key", "sfk_x", "--url", "http://127.0.0.1:1", "--entity", "orders",
                "--action", "ingest", "--params", "{not json");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("snapflow submit: --params is not valid JSON");
    }

    @Test
    void submitReadsParamsFromTheFileNamedAfterAnAtSignAsTheReadmeShows(@TempDir Path dir) throws Exception {
        Path params = dir.resolve("refresh-params.json");
        Files.writeString(params, "{\"ingest\":{}, \"clean\":{\"rules\":[]}, \"aggregate\":{}}");

        int exit = run("submit", "--api-key", "sfk_x", "--url", "http://127.0.0.1:1", "--entity", "orders",
                "--data-version", "latest", "--pipeline", "refresh", "--params", "@" + params);

        // The params were read as JSON; the command got as far as calling the (unreachable) API.
        assertThat(err.toString()).doesNotContain("Unmatched").contains("http://127.0.0.1:1");
        assertThat(exit).isNotEqualTo(2);
    }

    @Test
    void submitNamesAParamsFileThatIsNotJson(@TempDir Path dir) throws Exception {
        Path params = dir.resolve("params.json");
        Files.writeString(params, "ingest: {}");

        int exit = run("submit", "--api-key", "sfk_x", "--url", "http://127.0.0.1:1", "--entity", "orders",
                "--action", "ingest", "--params", "@" + params);

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("snapflow submit: --params is not valid JSON");
    }

    @Test
    void snapshotUploadOfAMissingFileIsNamed(@TempDir Path dir) {
        int exit = run("snapshot", "upload", dir.resolve("nope.csv").toString(), "--tenant", "acme", "--entity",
                "orders", "--data-version", "v1", "--s3-endpoint", "http://127.0.0.1:1");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("snapflow snapshot upload: no such file or folder: " + dir.resolve("nope.csv"));
    }

    @Test
    void snapshotUploadOfAFileOfUnknownFormatIsNamed(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("orders.txt"), "order_id\n1\n");

        int exit = run("snapshot", "upload", text.toString(), "--tenant", "acme", "--entity", "orders",
                "--data-version", "v1", "--s3-endpoint", "http://127.0.0.1:1");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("snapflow snapshot upload: cannot tell the format of orders.txt");
    }

    @Test
    void snapshotUploadRefusesAnUnsafeDataVersion(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("orders.csv"), "order_id\n1\n");

        int exit = run("snapshot", "upload", csv.toString(), "--tenant", "acme", "--entity", "orders",
                "--data-version", "../v1", "--s3-endpoint", "http://127.0.0.1:1");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).startsWith("snapflow snapshot upload: dataVersion must not contain");
    }
}
