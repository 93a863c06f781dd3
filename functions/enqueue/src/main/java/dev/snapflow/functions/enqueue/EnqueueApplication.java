package dev.snapflow.functions.enqueue;

import io.micronaut.runtime.Micronaut;

/** The enqueue function (see README.md). */
public final class EnqueueApplication {
    private EnqueueApplication() {
    }

    public static void main(String[] args) {
        Micronaut.build(args).mainClass(EnqueueApplication.class).banner(false).start();
    }
}
