package dev.snapflow.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code snapflow logs <process> [--step N] [--attempt A] [--follow]}: a job's driver log, through the API. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = "Print a step's job log (the driver's output). Default: the last step that ran, its latest attempt.")
final class LogsCommand implements Callable<Integer> {
    static final Duration POLL = Duration.ofSeconds(1);

    @Mixin ApiOptions api;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "PROCESS_ID") String id;

    @Option(names = "--step", description = "The step number, from 1 (default: the last step that ran).")
    Integer step;

    @Option(names = "--attempt", description = "The attempt number, from 1 (default: the step's latest).")
    Integer attempt;

    @Option(names = {"-f", "--follow"}, description = "Keep printing as the log grows, until the step ends.")
    boolean follow;

    /** Which attempt's log: the one asked for, else the last step that ran and its latest attempt. */
    record Target(int step, int attempt) {
        static Target choose(JsonNode process, Integer step, Integer attempt) {
            if (step != null && step < 1 || attempt != null && attempt < 1) {
                throw new CliException("--step and --attempt count from 1");
            }
            JsonNode chosen = null;
            for (JsonNode s : process.path("steps")) {
                if (step != null ? s.path("step").asInt() == step : !s.path("attemptHistory").isEmpty()) {
                    chosen = s;
                }
            }
            if (chosen == null) {
                throw new CliException(step != null ? "process " + process.path("id").asText() + " has no step " + step
                        : "no step of process " + process.path("id").asText() + " has run yet");
            }
            int latest = chosen.path("attempts").asInt();
            if (attempt != null && attempt > latest) {
                throw new CliException("step " + chosen.path("step").asInt() + " has " + latest + " attempt(s), not " + attempt);
            }
            return new Target(chosen.path("step").asInt(), attempt != null ? attempt : Math.max(1, latest));
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        String path = ProcessCommands.processPath(id);
        ApiClient client = api.client();
        JsonNode process = client.get(path);
        Target target = Target.choose(process, step, attempt);
        String logPath = path + "/steps/" + target.step() + "/attempts/" + target.attempt() + "/log";
        PrintWriter out = spec.commandLine().getOut();
        Utf8Printer printer = new Utf8Printer(out);
        long offset = 0;
        while (true) {
            Optional<ApiClient.TextSlice> slice = client.getText(logPath + "?offset=" + offset);
            if (slice.isPresent()) {
                printer.print(slice.get().bytes());
                offset = slice.get().nextOffset();
            }
            boolean more = slice.isPresent() && offset < slice.get().size();
            if (more) {
                continue; // the rest of a log longer than one answer
            }
            if (!follow) {
                if (slice.isEmpty()) {
                    throw new CliException("no log of step " + target.step() + " attempt " + target.attempt()
                            + " yet (its job has not started, or started before logs were kept)");
                }
                return 0;
            }
            if (stepEnded(client.get(path), target)) {
                // one more read: the job's last upload may have landed after the previous one
                client.getText(logPath + "?offset=" + offset).ifPresent(last -> printer.print(last.bytes()));
                return 0;
            }
            Thread.sleep(POLL);
        }
    }

    /** The attempt is over: it finished, or the step moved on to a later attempt. */
    static boolean stepEnded(JsonNode process, Target target) {
        for (JsonNode s : process.path("steps")) {
            if (s.path("step").asInt() == target.step()) {
                for (JsonNode a : s.path("attemptHistory")) {
                    if (a.path("attempt").asInt() == target.attempt()) {
                        return a.hasNonNull("finishedAt") || ProcessWatcher.TERMINAL.contains(s.path("state").asText());
                    }
                }
                return ProcessWatcher.TERMINAL.contains(s.path("state").asText());
            }
        }
        return ProcessWatcher.TERMINAL.contains(process.path("state").asText());
    }

    /** Prints byte slices as UTF-8 text, holding back a character cut between two slices until it is whole. */
    static final class Utf8Printer {
        private final PrintWriter out;
        private byte[] pending = new byte[0];

        Utf8Printer(PrintWriter out) {
            this.out = out;
        }

        void print(byte[] bytes) {
            byte[] all = Arrays.copyOf(pending, pending.length + bytes.length);
            System.arraycopy(bytes, 0, all, pending.length, bytes.length);
            int whole = wholeCharacters(all);
            out.print(new String(all, 0, whole, StandardCharsets.UTF_8));
            out.flush();
            pending = Arrays.copyOfRange(all, whole, all.length);
        }

        /** How many leading bytes end on a character boundary. */
        static int wholeCharacters(byte[] bytes) {
            for (int i = bytes.length - 1; i >= 0 && i >= bytes.length - 4; i--) {
                int b = bytes[i] & 0xFF;
                if ((b & 0xC0) != 0x80) { // the lead byte of the last character
                    int length = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                    return bytes.length - i >= length ? bytes.length : i;
                }
            }
            return bytes.length;
        }
    }
}
