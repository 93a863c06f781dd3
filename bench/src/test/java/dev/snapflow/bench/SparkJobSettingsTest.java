package dev.snapflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SparkJobSettingsTest {
    private static LocalJobProfile profile(String resources, int cores) throws Exception {
        return LocalJobProfile.of("clean", new ObjectMapper().readTree(resources), cores);
    }

    @Test
    void aJobGetsTheExecutorsTaskSlotsCappedAtTheCoresAndTheDriverPlusExecutorsHeapAsTheLocalBackendGivesIt() throws Exception {
        String clean = "{\"driverCores\": 1, \"driverMemory\": \"1g\", \"executorCount\": 2, \"executorCores\": 1, \"executorMemory\": \"2g\"}";

        assertThat(profile(clean, 2)).isEqualTo(new LocalJobProfile("clean", 2, 5120));
        assertThat(profile(clean, 1).taskSlots()).isEqualTo(1);
        assertThat(profile("{\"driverCores\": 3, \"driverMemory\": \"512m\", \"executorCount\": 0, \"executorCores\": 4, "
                + "\"executorMemory\": \"2g\"}", 8)).isEqualTo(new LocalJobProfile("clean", 3, 512));
    }

    @Test
    void theShippedCatalogHasAProfileForEveryBenchmarkedAction() throws Exception {
        var profiles = LocalJobProfile.fromCatalog(Path.of("..").toAbsolutePath().normalize(), 2);

        assertThat(profiles).containsKeys(SparkActionsBenchmark.ACTIONS.toArray(String[]::new));
        assertThat(profiles.get("ingest").backendProperties(Path.of("/t")))
                .contains("-Dspark.master=local[" + profiles.get("ingest").taskSlots() + "]", "-Djava.io.tmpdir=/t");
    }

    @Test
    void sparkOptionsAreCollectedFromTheCommandLineAndAnyOfThemMeansNoHistoryRow() {
        BenchMain.Options options = BenchMain.Options.parse(new String[]{"--only", "spark", "--spark-jvm-option", "-Xmx6g",
                "--spark-skip-compact", "--spark-jvm-option", "-Dspark.sql.shuffle.partitions=8", "--spark-again", "clean",
                "--spark-again-jvm-option", "-Dspark.sql.codegen.hugeMethodLimit=65535"});

        assertThat(options.spark()).isEqualTo(new SparkOptions(List.of("-Xmx6g", "-Dspark.sql.shuffle.partitions=8"), false,
                "clean", List.of("-Dspark.sql.codegen.hugeMethodLimit=65535")));
        assertThat(BenchMain.Options.parse(new String[]{"--spark-skip-compact"}).all()).isFalse();
        assertThat(BenchMain.Options.parse(new String[]{}).spark()).isEqualTo(SparkOptions.DEFAULT);
        assertThatThrownBy(() -> BenchMain.Options.parse(new String[]{"--spark-again", "ingest"}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stageTimesAndCpuSecondsAreReadFromTheJobsLog() {
        List<String> log = List.of(
                "26/11/21 09:40:17 INFO DAGScheduler: Submitting 2 missing tasks from ResultStage 1 (MapPartitionsRDD[13] at parquet at OutputWriter.java:34) (first 15 tasks are for partitions Vector(0, 1))",
                "26/11/21 09:40:24 INFO DAGScheduler: ResultStage 1 (parquet at OutputWriter.java:34) finished in 2697 ms",
                "snapflow-job: SUCCEEDED s3://b/m.json",
                SparkActionsBenchmark.CPU_LINE + "user=14.20 sys=1.05 maxrss=812345kB");

        assertThat(SparkActionsBenchmark.stages(log)).containsExactly(
                new SparkActionsBenchmark.Stage("ResultStage 1", "parquet at OutputWriter.java:34", 2, 2697));
        assertThat(SparkActionsBenchmark.cpuSeconds(log)).isEqualTo(15.25, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(SparkActionsBenchmark.cpuSeconds(List.of("no time here"))).isNaN();
    }
}
