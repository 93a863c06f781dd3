package dev.snapflow.functions.validate;

import io.micronaut.runtime.Micronaut;

/** The validate function: Snapflow's public API (see README.md). */
public final class ValidateApplication {
    private ValidateApplication() {
    }

    public static void main(String[] args) {
        Micronaut.build(args).mainClass(ValidateApplication.class).banner(false).start();
    }
}
