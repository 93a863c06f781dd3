package dev.snapflow.local.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code snapflow sender ...} against a stand-in for the admin API that records what the CLI asked. */
class SenderCommandsTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private HttpServer api;

    @BeforeEach
    void startTheApi() throws Exception {
        api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/v1/admin/senders", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                    + exchange.getRequestHeaders().getFirst("Authorization") + " " + body);
            String answer = switch (exchange.getRequestMethod()) {
                case "POST" -> "{\"id\":\"acme-warehouse\",\"tenants\":[\"acme\",\"beta\"],\"signingSecret\":\"sfsnd_c2VjcmV0\"}";
                case "DELETE" -> "{\"id\":\"acme-warehouse\",\"tenants\":[\"acme\"],\"revokedAt\":\"2026-12-03T16:00:00Z\"}";
                default -> "{\"items\":[{\"id\":\"acme-warehouse\",\"tenants\":[\"acme\",\"beta\"],\"createdAt\":\"2026-12-03T15:00:00Z\"}]}";
            };
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders("POST".equals(exchange.getRequestMethod()) ? 201 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        api.start();
    }

    @AfterEach
    void stopTheApi() {
        api.stop(0);
    }

    private int run(String... args) {
        CommandLine cli = SnapflowCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--url";
        all[args.length + 1] = "http://127.0.0.1:" + api.getAddress().getPort();
        all[args.length + 2] = "--admin-token";
        all[args.length + 3] = "admin-token-for-cli-tests";
        return cli.execute(all);
    }

    @Test
    void registerSendsTheIdAndTenantsWithTheAdminTokenAndPrintsTheSecretOnce() {
        int exit = run("sender", "register", "acme-warehouse", "--tenant", "acme", "--tenant", "beta");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(requests).containsExactly("POST /v1/admin/senders Bearer admin-token-for-cli-tests "
                + "{\"id\":\"acme-warehouse\",\"tenants\":[\"acme\",\"beta\"]}");
        assertThat(out.toString()).contains("sfsnd_c2VjcmV0").contains("acme, beta");
    }

    @Test
    void listShowsEachSendersTenantsAndRevokeNamesTheSender() {
        assertThat(run("sender", "list")).as(err.toString()).isZero();
        assertThat(run("sender", "revoke", "acme-warehouse")).as(err.toString()).isZero();

        assertThat(out.toString()).contains("acme-warehouse").contains("acme,beta").contains("Revoked sender acme-warehouse");
        assertThat(requests.get(1)).startsWith("DELETE /v1/admin/senders/acme-warehouse Bearer admin-token-for-cli-tests");
    }

    @Test
    void registerWithoutAnAdminTokenSaysWhereToGetOne(@TempDir Path emptyWorkDir) {
        CommandLine cli = SnapflowCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("sender", "register", "x", "--tenant", "acme", "--work-dir", emptyWorkDir.toString(),
                "--admin-token", " ");

        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("no admin token");
    }
}
