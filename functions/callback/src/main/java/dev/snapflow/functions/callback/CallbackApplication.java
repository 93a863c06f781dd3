package dev.snapflow.functions.callback;

import io.micronaut.runtime.Micronaut;

/** The callback function (see README.md). */
public final class CallbackApplication {
    private CallbackApplication() {
    }

    public static void main(String[] args) {
        Micronaut.build(args).mainClass(CallbackApplication.class).banner(false).start();
    }
}
