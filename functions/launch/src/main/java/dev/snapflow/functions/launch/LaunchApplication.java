package dev.snapflow.functions.launch;

import io.micronaut.runtime.Micronaut;

/** The launch function: job.requested in, jobs started, job.launched (or a launch failure) out. */
public final class LaunchApplication {
    private LaunchApplication() {
    }

    public static void main(String[] args) {
        Micronaut.run(LaunchApplication.class, args);
    }
}
