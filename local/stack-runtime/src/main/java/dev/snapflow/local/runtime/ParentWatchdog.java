package dev.snapflow.local.runtime;

import java.time.Duration;

/**
 * Ends this node when the JVM that started it is gone, so a killed test JVM (kill -9, a Surefire timeout) never
 * leaves a broker behind. {@link System#exit} runs the node's shutdown hooks, which stop its server cleanly.
 */
final class ParentWatchdog {

    private static final Duration POLL_INTERVAL = Duration.ofMillis(500);

    private ParentWatchdog() {
    }

    static void watch(long parentPid, String nodeName) {
        ProcessHandle parent = ProcessHandle.of(parentPid).orElse(null);
        if (parent == null || !parent.isAlive()) {
            System.err.println(nodeName + ": parent process " + parentPid + " is not running; exiting");
            System.exit(0);
        }
        Thread.ofPlatform().daemon().name("parent-watchdog").start(() -> {
            // ProcessHandle.isAlive also compares the start time, so a recycled PID does not look alive.
            while (parent.isAlive()) {
                try {
                    Thread.sleep(POLL_INTERVAL);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            System.err.println(nodeName + ": parent process " + parentPid + " ended; shutting down");
            System.exit(0);
        });
    }
}
