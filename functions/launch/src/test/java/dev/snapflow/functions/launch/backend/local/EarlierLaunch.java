package dev.snapflow.functions.launch.backend.local;

import dev.snapflow.functions.launch.backend.TestJobs;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A launch instance in its own JVM, for tests of what a restarted launch finds: it starts one scripted job
 * ({@code <work dir> <process id> <behaviour> <timeout ms>}) and then waits to be killed, as launch is by SIGKILL.
 * With the behaviour {@code claim-only} it stops where a launch is between claiming the job and starting it: the
 * job dir exists, its owner lock is held, no process runs.
 */
public final class EarlierLaunch {
    public static void main(String[] args) throws Exception {
        if (args[2].equals("claim-only")) {
            Path jobDir = Path.of(args[0]).resolve(TestJobs.scripted(args[1], "print",
                    Duration.ofMillis(Long.parseLong(args[3]))).jobId().value());
            Files.createDirectories(jobDir);
            FileChannel lock = FileChannel.open(jobDir.resolve(LocalProcessBackend.OWNER_LOCK),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock.lock();
            System.out.println("claimed " + jobDir);
            Thread.sleep(Duration.ofMinutes(10));
            return;
        }
        LocalBackendSettings settings = new LocalBackendSettings(Path.of(System.getProperty("java.home"), "bin", "java"),
                System.getProperty("java.class.path"), Path.of(args[0]), 4, List.of(), Map.of(), Duration.ofSeconds(2));
        LocalProcessBackend backend = new LocalProcessBackend(settings,
                failure -> System.out.println("reported " + failure.errorClass() + ": " + failure.message()));
        System.out.println("outcome " + backend.launch(TestJobs.scripted(args[1], args[2],
                Duration.ofMillis(Long.parseLong(args[3])))));
        Thread.sleep(Duration.ofMinutes(10));
    }
}
