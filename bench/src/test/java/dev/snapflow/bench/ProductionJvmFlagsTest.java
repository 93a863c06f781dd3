package dev.snapflow.bench;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmarks measure functions with the JVM flags their Knative Services set, not a guess at them. */
class ProductionJvmFlagsTest {
    private static List<String> javaToolOptions(String function) throws Exception {
        Path manifest = Path.of("..", "knative", "base", "functions", function + ".yaml");
        List<String> lines = Files.readAllLines(manifest);
        int name = lines.indexOf(lines.stream().filter(l -> l.trim().equals("- name: JAVA_TOOL_OPTIONS")).findFirst()
                .orElseThrow(() -> new AssertionError(manifest + " sets no JAVA_TOOL_OPTIONS")));
        String value = lines.get(name + 1).trim();
        assertThat(value).as("the line after JAVA_TOOL_OPTIONS in " + manifest).startsWith("value: ");
        return Arrays.asList(value.substring("value: ".length()).trim().split("\\s+"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"validate", "enqueue", "launch", "callback"})
    void benchmarksRunAFunctionWithItsServicesJvmFlagsAndTheContainersMemoryLimit(String function) throws Exception {
        List<String> memory = Files.readAllLines(Path.of("..", "knative", "base", "functions", function + ".yaml")).stream()
                .map(String::trim).filter(l -> l.startsWith("memory:")).toList();
        assertThat(memory).as("requests and limits of " + function).containsOnly("memory: 512Mi");
        List<String> service = javaToolOptions(function).stream().filter(flag -> !flag.startsWith("-XX:AOTCache=")).toList();

        assertThat(BenchEnvironment.PRODUCTION_JVM_FLAGS).containsAll(service);
        assertThat(BenchEnvironment.PRODUCTION_JVM_FLAGS).as("only the container's memory limit is added")
                .containsExactlyInAnyOrderElementsOf(Stream.concat(service.stream(), Stream.of("-XX:MaxRAM=512m")).toList());
    }
}
