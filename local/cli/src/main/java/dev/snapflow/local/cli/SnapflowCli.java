package dev.snapflow.local.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/snapflow}: runs Snapflow on one machine and talks to its public API like a user would. */
@Command(name = "snapflow", mixinStandardHelpOptions = true, version = "snapflow 0.1.0-SNAPSHOT",
        description = "Runs Snapflow on this machine: real Kafka, S3 API, PostgreSQL and Spark, no Docker.",
        subcommands = {UpCommand.class, DownCommand.class, DemoCommand.class, ProcessCommands.Submit.class,
                ProcessCommands.Status.class, ProcessCommands.ListProcesses.class, ProcessCommands.Cancel.class,
                ProcessCommands.Watch.class, LogsCommand.class, TenantCommands.class, SnapshotCommands.class, SenderCommands.class,
                DeadLetterCommands.class})
public final class SnapflowCli {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line as bin/snapflow runs it (also for tests that run it in-process). */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SnapflowCli());
        // "--params @file.json" means "JSON from this file" (ProcessCommands.Submit), not picocli's argument file,
        // which would split the JSON into stray arguments.
        cli.setExpandAtFiles(false);
        // A failure is one line naming what went wrong, not a stack trace: users act on the sentence.
        cli.setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + exception.getMessage());
            return exception instanceof CliException cliException ? cliException.exitCode() : 1;
        });
        return cli;
    }
}
