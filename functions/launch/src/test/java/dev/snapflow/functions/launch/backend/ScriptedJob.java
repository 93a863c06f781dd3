package dev.snapflow.functions.launch.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.jobs.JobArguments;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A test-only job entry point that behaves as its params say, so the local backend can be tested without Spark:
 * {@code {"behaviour":"print"|"sleep"|"spawn-and-sleep"|"crash"|"crash-when-told"|"stop-as-told"}} (the last runs until a file
 * {@code crash-now} appears in its working directory).. It parses its command line with the same
 * JobArguments the real job uses.
 */
public final class ScriptedJob {
    public static void main(String[] args) throws Exception {
        JobArguments arguments = JobArguments.parse(List.of(args));
        String behaviour = new ObjectMapper().readTree(arguments.paramsJson()).path("behaviour").asText();
        System.out.println("started " + arguments.jobId());
        switch (behaviour) {
            case "print" -> {
                System.out.println("args=" + String.join(" ", args));
                System.out.println("token=" + System.getenv(JobArguments.CALLBACK_TOKEN_ENV));
                System.out.println("hmac-key=" + System.getenv("SNAPFLOW_CALLBACK_HMAC_KEY"));
                System.out.println("spark-local-ip=" + System.getenv("SPARK_LOCAL_IP"));
                System.out.println("s3-endpoint=" + System.getenv("SNAPFLOW_S3_ENDPOINT"));
                System.out.println("spark-master=" + System.getProperty("spark.master"));
            }
            case "sleep" -> sleepUntilKilled();
            case "spawn-and-sleep" -> {
                Process grandchild = new ProcessBuilder("sleep", "600").start();
                Files.writeString(Path.of("grandchild.pid"), Long.toString(grandchild.pid()));
                sleepUntilKilled();
            }
            case "crash" -> crash();
            case "stop-as-told" -> {
                System.out.println("callback says this attempt is over; stopping");
                System.exit(dev.snapflow.contracts.jobs.JobExitCodes.STOPPED);
            }
            case "crash-when-told" -> {
                while (!Files.exists(Path.of("crash-now"))) {
                    Thread.sleep(100);
                }
                crash();
            }
            default -> throw new IllegalArgumentException("unknown behaviour '" + behaviour + "'");
        }
    }

    private static void crash() {
        System.err.println("boom: the input could not be read");
        System.exit(2);
    }

    private static void sleepUntilKilled() throws InterruptedException {
        while (true) {
            Thread.sleep(1_000);
        }
    }
}
