package dev.snapflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.snapflow.contracts.jobs.LocalModeSizing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the launcher's local backend gives a job JVM for one action of the shipped action catalog
 * ({@code functions/shared/src/main/resources/snapflow/action-catalog.yml}): {@code -Xmx} = the driver's plus all
 * executors' memory and {@code -Dspark.master=local[N]} with N = the executors' task slots (the driver's cores when
 * it has no executors), at most this machine's cores: the contracts' {@link LocalModeSizing}, the rule launch's local
 * backend applies. Bench does not depend on the launch function (Micronaut), so it reads the catalog's sizes itself.
 *
 * @param action    the catalog action
 * @param taskSlots Spark local mode's task threads
 * @param heapMb    the job JVM's heap in MiB
 */
public record LocalJobProfile(String action, int taskSlots, int heapMb) {
    static final String CATALOG = "functions/shared/src/main/resources/snapflow/action-catalog.yml";

    /** Every action of the catalog under {@code root}, for a machine with {@code cores} cores. */
    public static Map<String, LocalJobProfile> fromCatalog(Path root, int cores) throws IOException {
        JsonNode actions = new ObjectMapper(new YAMLFactory()).readTree(root.resolve(CATALOG).toFile()).path("actions");
        Map<String, LocalJobProfile> profiles = new LinkedHashMap<>();
        actions.properties().forEach(entry -> profiles.put(entry.getKey(), of(entry.getKey(), entry.getValue().path("resources"), cores)));
        return profiles;
    }

    static LocalJobProfile of(String action, JsonNode resources, int cores) {
        int driverCores = resources.path("driverCores").asInt(1);
        int executors = resources.path("executorCount").asInt(0);
        int executorCores = resources.path("executorCores").asInt(1);
        int heap = LocalModeSizing.heapMb(LocalModeSizing.mebibytes(resources.path("driverMemory").asText("1g")),
                executors, LocalModeSizing.mebibytes(resources.path("executorMemory").asText("1g")));
        return new LocalJobProfile(action, LocalModeSizing.taskSlots(driverCores, executors, executorCores, cores), heap);
    }


    /** The heap as {@code LocalJobCommand} takes it. */
    public String maxHeap() {
        return heapMb + "m";
    }

    /** The system properties the local backend adds after Spark's JVM options (its temp and Spark local dirs in {@code tmp}). */
    public List<String> backendProperties(Path tmp) {
        return List.of("-Djava.io.tmpdir=" + tmp, "-Dspark.master=local[" + taskSlots + "]", "-Dspark.local.dir=" + tmp,
                "-Dspark.ui.enabled=false");
    }

    /** For the results file: {@code ingest: local[1], 2048 MiB}. */
    public String describe() {
        return action + ": local[" + taskSlots + "], -Xmx" + heapMb + "m";
    }
}
