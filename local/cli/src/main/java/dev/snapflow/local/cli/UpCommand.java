package dev.snapflow.local.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Starts the local stack and stays in the foreground until Ctrl-C (or `snapflow down`), which stops it. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start Snapflow on this machine and stay in the foreground until Ctrl-C.")
final class UpCommand implements Callable<Integer> {
    @Mixin
    StackOptions stackOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        RunningStack running = RunningStack.start(stackOptions);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            spec.commandLine().getOut().println("Stopping Snapflow...");
            running.close();
            stopped.countDown();
        }, "snapflow-down"));
        running.printEndpoints(spec.commandLine().getOut());
        spec.commandLine().getOut().println("Press Ctrl-C to stop (or run `snapflow down` from another terminal).");
        stopped.await();
        return 0;
    }
}
