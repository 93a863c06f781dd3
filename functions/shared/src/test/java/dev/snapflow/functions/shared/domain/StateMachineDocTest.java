package dev.snapflow.functions.shared.domain;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/state-machine.md says what {@link StateMachine} allows, in both directions: each section's table ("Next"
 * column) and its diagram name exactly the allowed transitions of every state, no more and no fewer.
 */
class StateMachineDocTest {
    private static final Pattern NAME = Pattern.compile("`([A-Z_]+)`");
    private static final Pattern EDGE = Pattern.compile("^\\s*([A-Z_]+)\\s*-->\\s*([A-Z_]+)\\b", Pattern.MULTILINE);

    @Test
    void processTableAndDiagramAreTheStateMachines() throws IOException {
        String section = section("## Process");
        Map<ProcessState, Set<ProcessState>> expected = allowed(ProcessState.class, StateMachine::next);

        assertThat(table(section, ProcessState.class)).isEqualTo(expected);
        assertThat(diagram(section, ProcessState.class)).isEqualTo(expected);
    }

    @Test
    void stepTableAndDiagramAreTheStateMachines() throws IOException {
        String section = section("## Step");
        Map<StepState, Set<StepState>> expected = allowed(StepState.class, StateMachine::next);

        assertThat(table(section, StepState.class)).isEqualTo(expected);
        assertThat(diagram(section, StepState.class)).isEqualTo(expected);
    }

    @Test
    void attemptTableAndDiagramAreTheStateMachines() throws IOException {
        String section = section("## Attempt");
        Map<AttemptState, Set<AttemptState>> expected = allowed(AttemptState.class, StateMachine::next);

        assertThat(table(section, AttemptState.class)).isEqualTo(expected);
        assertThat(diagram(section, AttemptState.class)).isEqualTo(expected);
    }

    private static <S extends Enum<S>> Map<S, Set<S>> allowed(Class<S> type, Function<S, Set<S>> next) {
        Map<S, Set<S>> all = new EnumMap<>(type);
        for (S state : type.getEnumConstants()) {
            all.put(state, new TreeSet<>(next.apply(state)));
        }
        return all;
    }

    /** The table rows: the states named in the first column go to the states named in the last. */
    private static <S extends Enum<S>> Map<S, Set<S>> table(String section, Class<S> type) {
        Map<S, Set<S>> found = new EnumMap<>(type);
        for (String line : section.split("\n")) {
            if (!line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.split("\\|");
            Set<S> next = new TreeSet<>(names(cells[cells.length - 1], type));
            for (S state : names(cells[1], type)) {
                assertThat(found).as("a second row for " + state).doesNotContainKey(state);
                found.put(state, next);
            }
        }
        return found;
    }

    /** The mermaid diagram's edges between states (not from or to [*]); every state appears as a key. */
    private static <S extends Enum<S>> Map<S, Set<S>> diagram(String section, Class<S> type) {
        Map<S, Set<S>> found = new EnumMap<>(type);
        for (S state : type.getEnumConstants()) {
            found.put(state, new TreeSet<>());
        }
        Matcher edge = EDGE.matcher(section);
        while (edge.find()) {
            found.get(Enum.valueOf(type, edge.group(1))).add(Enum.valueOf(type, edge.group(2)));
        }
        return found;
    }

    private static <S extends Enum<S>> Set<S> names(String cell, Class<S> type) {
        Set<S> states = EnumSet.noneOf(type);
        Matcher name = NAME.matcher(cell);
        while (name.find()) {
            String found = name.group(1);
            assertThat(Arrays.stream(type.getEnumConstants()).map(Enum::name)).as("a " + type.getSimpleName())
                    .contains(found);
            states.add(Enum.valueOf(type, found));
        }
        return states;
    }

    private static String section(String heading) throws IOException {
        Path doc = Path.of("").toAbsolutePath();
        while (!Files.exists(doc.resolve("docs/state-machine.md"))) {
            doc = doc.getParent();
        }
        String text = Files.readString(doc.resolve("docs/state-machine.md"));
        int start = text.indexOf("\n" + heading);
        assertThat(start).as(heading + " in docs/state-machine.md").isNotNegative();
        int end = text.indexOf("\n## ", start + 1);
        return end < 0 ? text.substring(start) : text.substring(start, end);
    }
}
