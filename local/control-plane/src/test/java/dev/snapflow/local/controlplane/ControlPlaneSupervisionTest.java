package dev.snapflow.local.controlplane;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The supervisor restarts a function whose JVM dies, as Knative recreates a pod; a stop by hand is not a crash. */
class ControlPlaneSupervisionTest {
    private static final List<String> FUNCTIONS = List.of("enqueue", "callback");

    @TempDir
    Path dir;
    private ControlPlane plane;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void startTwoFakeFunctions() throws IOException {
        for (String name : FUNCTIONS) {
            writeFakeFunctionJar(dir.resolve("functions").resolve(name).resolve("target").resolve("function-" + name + ".jar"));
        }
        plane = ControlPlane.start(new ControlPlane.Settings(dir.resolve("functions"), dir.resolve("logs"), Map.of(),
                Map.of(), Duration.ofMinutes(1)), FUNCTIONS);
    }

    @AfterEach
    void stop() {
        if (plane != null) {
            plane.close();
        }
    }

    /** A jar holding only FakeFunction, named and placed as a function's jar is. */
    private static void writeFakeFunctionJar(Path jar) throws IOException {
        Files.createDirectories(jar.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeFunction.class.getName());
        String entry = FakeFunction.class.getName().replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out, manifest);
             InputStream classFile = FakeFunction.class.getClassLoader().getResourceAsStream(entry)) {
            jarOut.putNextEntry(new JarEntry(entry));
            classFile.transferTo(jarOut);
            jarOut.closeEntry();
        }
    }

    private boolean healthy(String name) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(plane.baseUrl(name) + "/health")).timeout(Duration.ofSeconds(2))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static long fakeFunctionJvms(Path functionsDir) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(process -> process.info().commandLine().orElse("").contains(functionsDir.toString()))
                .count();
    }

    @Test
    void aFunctionWhoseJvmIsKilledIsStartedAgainAndAnswersOnItsPort() {
        FunctionProcess killed = plane.function("enqueue");

        killed.kill();

        await().atMost(Duration.ofSeconds(60)).until(() -> plane.function("enqueue") != killed && healthy("enqueue"));
        assertThat(plane.function("enqueue").pid()).isNotEqualTo(killed.pid());
        assertThat(plane.function("callback").alive()).as("the others are left alone").isTrue();
        assertThat(fakeFunctionJvms(dir.resolve("functions"))).isEqualTo(2);

        FunctionProcess again = plane.function("enqueue");
        again.kill();
        await().atMost(Duration.ofSeconds(60)).until(() -> plane.function("enqueue") != again && healthy("enqueue"));
    }

    @Test
    void aRestartByHandRightAfterAKillLeavesOneJvmOnThePort() {
        FunctionProcess killed = plane.function("enqueue");

        killed.kill();
        FunctionProcess restarted = plane.restart("enqueue", Map.of());

        assertThat(healthy("enqueue")).isTrue();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> plane.function("enqueue") == restarted && restarted.alive());
        assertThat(fakeFunctionJvms(dir.resolve("functions"))).isEqualTo(2);
    }

    @Test
    void closeStopsSupervisionFirstSoNothingComesBack() {
        plane.close();

        assertThat(plane.running()).isEmpty();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> fakeFunctionJvms(dir.resolve("functions")) == 0);
    }
}
