package dev.snapflow.functions.launch.backend.local;

import dev.snapflow.functions.launch.backend.TestJobs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A launch instance in its own JVM, for tests of what a restarted launch finds: it starts one scripted job
 * ({@code <work dir> <process id> <behaviour> <timeout ms>}) and then waits to be killed, as launch is by SIGKILL.
 */
public final class EarlierLaunch {
    public static void main(String[] args) throws InterruptedException {
        LocalBackendSettings settings = new LocalBackendSettings(Path.of(System.getProperty("java.home"), "bin", "java"),
                System.getProperty("java.class.path"), Path.of(args[0]), 4, List.of(), Map.of(), Duration.ofSeconds(2));
        LocalProcessBackend backend = new LocalProcessBackend(settings,
                failure -> System.out.println("reported " + failure.errorClass() + ": " + failure.message()));
        System.out.println("outcome " + backend.launch(TestJobs.scripted(args[1], args[2],
                Duration.ofMillis(Long.parseLong(args[3])))));
        Thread.sleep(Duration.ofMinutes(10));
    }
}
