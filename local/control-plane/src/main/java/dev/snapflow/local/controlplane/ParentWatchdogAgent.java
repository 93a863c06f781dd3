package dev.snapflow.local.controlplane;

import java.time.Duration;

/**
 * A {@code -javaagent} added to every function JVM: ends the function once the JVM that started it is gone
 * (kill -9 of {@code snapflow up}, a killed test JVM), so functions never outlive their launcher. The function's
 * jar stays exactly the one its container runs; {@link System#exit} runs its shutdown hooks.
 */
public final class ParentWatchdogAgent {
    private static final Duration POLL_INTERVAL = Duration.ofMillis(500);
    /** A function's shutdown hooks can hang once the broker is gone too (a Kafka producer flushing forever). */
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(20);

    private ParentWatchdogAgent() {
    }

    /** @param parentPid the launcher's pid, as the agent argument */
    public static void premain(String parentPid) {
        ProcessHandle parent = ProcessHandle.of(Long.parseLong(parentPid.trim())).orElse(null);
        if (parent == null || !parent.isAlive()) {
            System.err.println("parent process " + parentPid + " is not running; exiting");
            System.exit(0);
        }
        Thread.ofPlatform().daemon().name("parent-watchdog").start(() -> {
            // ProcessHandle.isAlive also compares the start time, so a recycled pid does not look alive.
            while (parent.isAlive()) {
                try {
                    Thread.sleep(POLL_INTERVAL);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            System.err.println("parent process " + parentPid + " ended; shutting down");
            Thread.ofPlatform().daemon().name("parent-watchdog-halt").start(() -> {
                try {
                    Thread.sleep(SHUTDOWN_GRACE);
                } catch (InterruptedException e) {
                    return;
                }
                System.err.println("shutdown did not finish within " + SHUTDOWN_GRACE + "; halting");
                Runtime.getRuntime().halt(1);
            });
            System.exit(0);
        });
    }
}
