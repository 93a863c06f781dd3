package dev.snapflow.local.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * The one-command demo. For now it proves the embedded infrastructure: it starts the stack, reports every
 * endpoint and stops it again. The full demo (generated snapshot, the refresh pipeline, results) builds on
 * the functions and the Spark job.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start Snapflow on this machine, run the demo, and report.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    StackOptions stackOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (RunningStack running = RunningStack.start(stackOptions.toStackOptions())) {
            running.printEndpoints(spec.commandLine().getOut());
            spec.commandLine().getOut().println("Stopping Snapflow...");
        }
        spec.commandLine().getOut().println("Demo finished: the embedded stack started and stopped cleanly.");
        return 0;
    }
}
