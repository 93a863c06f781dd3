package dev.snapflow.local.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** Stops a stack that `snapflow up` (or `demo`) left running, by asking its process to shut down. */
@Command(name = "down", mixinStandardHelpOptions = true, description = "Stop a Snapflow stack running from this work dir.")
final class DownCommand implements Callable<Integer> {
    private static final int STOP_TIMEOUT_SECONDS = 60;

    @Mixin
    StackOptions stackOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Optional<ProcessHandle> owner = RunningStack.runningOwner(stackOptions.workDir);
        if (owner.isEmpty()) {
            spec.commandLine().getOut().println("No Snapflow stack is running from " + stackOptions.workDir.toAbsolutePath());
            return 0;
        }
        ProcessHandle process = owner.get();
        // SIGTERM runs the owner's shutdown hook, which stops Kafka, S3 and PostgreSQL cleanly.
        process.destroy();
        try {
            process.onExit().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new CliException("the stack (pid " + process.pid() + ") did not stop within " + STOP_TIMEOUT_SECONDS
                    + " s; its logs are in " + stackOptions.workDir.toAbsolutePath().resolve("logs"));
        }
        spec.commandLine().getOut().println("Stopped the Snapflow stack (pid " + process.pid() + ").");
        return 0;
    }
}
