package dev.snapflow.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code bin/snapflow} command line in a fenced {@code sh} block of the README and this module's README, as
 * written, goes through the CLI's parser: it parses, and each {@code --option value} and argument of the text is the
 * value the command receives. The README's params file is built exactly as shown and read as {@code --params @file}.
 */
class DocumentedCommandLinesTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).resolve("../..").normalize();
    private static final List<Path> DOCUMENTS = List.of(ROOT.resolve("README.md"), ROOT.resolve("local/cli/README.md"));
    private static final Pattern SH_BLOCK = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL);

    @TestFactory
    Stream<DynamicTest> everyDocumentedCommandLineParsesToWhatItSays() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path document : DOCUMENTS) {
            for (String line : shellLines(Files.readString(document, StandardCharsets.UTF_8))) {
                List<String> words = words(line);
                int start = words.indexOf("bin/snapflow");
                if (start < 0) {
                    continue;
                }
                List<String> args = words.subList(start + 1, words.size()).stream().filter(w -> !w.equals("&")).toList();
                tests.add(DynamicTest.dynamicTest(ROOT.relativize(document) + ": " + line, () -> parsesAsWritten(args)));
            }
        }
        assertThat(tests).as("command lines found").hasSizeGreaterThan(15);
        return tests.stream();
    }

    private static void parsesAsWritten(List<String> args) {
        ParseResult result = SnapflowCli.commandLine().parseArgs(args.toArray(String[]::new));
        while (result.hasSubcommand()) {
            result = result.subcommand();
        }
        for (int i = 0; i < args.size(); i++) {
            String word = args.get(i);
            if (!word.startsWith("-")) {
                continue;
            }
            OptionSpec option = result.matchedOption(word);
            assertThat(option).as("option %s of %s", word, args).isNotNull();
            if (option.arity().max() == 0) {
                assertThat(option.<Object>getValue()).as(word).isEqualTo(true);
            } else {
                assertThat(says(option.<Object>getValue(), args.get(i + 1))).as("%s %s of %s is %s", word, args.get(i + 1),
                        args, option.<Object>getValue()).isTrue();
                i++;
            }
        }
        for (var positional : result.matchedPositionals()) {
            Object value = positional.<Object>getValue();
            assertThat(args.stream().anyMatch(word -> says(value, word))).as("argument %s of %s", value, args).isTrue();
        }
    }

    /** Whether a parsed value is what the word of the text means (a list holds it, a path names the same file). */
    private static boolean says(Object value, String word) {
        if (value instanceof java.util.Collection<?> values) {
            return values.stream().anyMatch(v -> says(v, word));
        }
        if (value instanceof Path path) {
            return path.normalize().equals(Path.of(word).normalize());
        }
        return String.valueOf(value).equals(word);
    }

    @Test
    void theReadmesParamsFileIsBuiltAsShownAndReadByParamsAtFile(@TempDir Path dir) throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        List<String> lines = shellLines(readme);
        int from = indexOfStart(lines, "ex=");
        int to = indexOfStart(lines, "printf");
        String script = String.join("\n", lines.subList(from, to + 1));
        Files.createSymbolicLink(dir.resolve("spark-jobs"), ROOT.resolve("spark-jobs"));
        Process bash = new ProcessBuilder("bash", "-c", script).directory(dir.toFile()).redirectErrorStream(true).start();
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as(new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();

        JsonNode params = ProcessCommands.Submit.parseParams("@" + dir.resolve("refresh-params.json"));

        assertThat(params.fieldNames()).toIterable().containsExactly("ingest", "clean", "aggregate");
        assertThat(params.path("clean").isObject()).isTrue();
        // With the file there, "@file" still reaches --params whole (picocli's own @file expansion would split it).
        String atFile = "@" + dir.resolve("refresh-params.json");
        ParseResult parsed = SnapflowCli.commandLine().parseArgs("submit", "--entity", "orders", "--pipeline", "refresh",
                "--params", atFile, "--watch");
        assertThat(parsed.subcommand().matchedOption("--params").<String>getValue()).isEqualTo(atFile);
        assertThat(parsed.subcommand().unmatched()).isEmpty();
    }

    private static int indexOfStart(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("README shows no line starting with " + prefix);
    }

    /** The logical lines of the fenced sh blocks: continuations joined, comments kept out by {@link #words}. */
    static List<String> shellLines(String markdown) {
        List<String> lines = new ArrayList<>();
        Matcher block = SH_BLOCK.matcher(markdown);
        while (block.find()) {
            StringBuilder current = new StringBuilder();
            for (String raw : block.group(1).split("\n")) {
                if (raw.endsWith("\\")) {
                    current.append(raw, 0, raw.length() - 1).append(' ');
                    continue;
                }
                current.append(raw);
                if (!current.toString().isBlank()) {
                    lines.add(current.toString().strip());
                }
                current.setLength(0);
            }
        }
        return lines;
    }

    /** Splits a shell line into words as bash would for these simple lines: quotes, comments, env prefixes. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '#' && !inWord) {
                break;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
