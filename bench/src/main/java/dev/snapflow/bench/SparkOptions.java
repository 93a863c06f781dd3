package dev.snapflow.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * bench/run's options for the Spark benchmark besides {@code --spark-rows}, for experiments on the job:
 * <ul>
 *   <li>{@code --spark-jvm-option OPT} (repeatable): added to every job JVM after what the local backend sets, so it
 *       wins: {@code -XX:StartFlightRecording=filename=/tmp/job.jfr}, {@code -Dspark.master=local[1]},
 *       {@code -Xmx6g}, any {@code -Dspark.*};</li>
 *   <li>{@code --spark-skip-compact}: no compact step (and no DuckDB compact);</li>
 *   <li>{@code --spark-again clean|aggregate} with {@code --spark-again-jvm-option OPT} (repeatable): after the
 *       pipeline, that step once more on the same input with those options added, an A/B of one setting in one run
 *       (its params spell out a default, so the output id differs and the rerun is not a cache hit);</li>
 *   <li>{@code --spark-overhead N} (with {@code --spark-before-jar JAR}, optional): instead of the DuckDB comparison,
 *       each action N times as the job, as bare Spark ({@code BareSparkAction}) and as the job jar JAR (an A/B of a
 *       code change), alternating ({@link SparkActionsBenchmark#overhead}).</li>
 * </ul>
 */
public record SparkOptions(List<String> jvmOptions, boolean compact, String again, List<String> againJvmOptions,
                           int overheadRepeats, java.nio.file.Path beforeJar) {
    public static final String USAGE = "[--spark-jvm-option OPT]... [--spark-skip-compact] "
            + "[--spark-again clean|aggregate [--spark-again-jvm-option OPT]...] [--spark-overhead N [--spark-before-jar JAR]]";

    public static final SparkOptions DEFAULT = new SparkOptions(List.of(), true, null, List.of(), 0, null);

    public SparkOptions(List<String> jvmOptions, boolean compact, String again, List<String> againJvmOptions) {
        this(jvmOptions, compact, again, againJvmOptions, 0, null);
    }

    public SparkOptions {
        jvmOptions = List.copyOf(jvmOptions);
        againJvmOptions = List.copyOf(againJvmOptions);
        if (again != null && !List.of("clean", "aggregate").contains(again)) {
            throw new IllegalArgumentException("--spark-again takes clean or aggregate, not '" + again + "'");
        }
    }

    /** Whether {@code option} is one of these (each takes a value except {@code --spark-skip-compact}). */
    public static boolean handles(String option) {
        return List.of("--spark-jvm-option", "--spark-skip-compact", "--spark-again", "--spark-again-jvm-option",
                "--spark-overhead", "--spark-before-jar").contains(option);
    }

    /** This with {@code option} (and its value, if it takes one) applied. */
    public SparkOptions with(String option, String value) {
        return switch (option) {
            case "--spark-jvm-option" -> new SparkOptions(plus(jvmOptions, value), compact, again, againJvmOptions,
                    overheadRepeats, beforeJar);
            case "--spark-skip-compact" -> new SparkOptions(jvmOptions, false, again, againJvmOptions, overheadRepeats, beforeJar);
            case "--spark-again" -> new SparkOptions(jvmOptions, compact, value, againJvmOptions, overheadRepeats, beforeJar);
            case "--spark-again-jvm-option" -> new SparkOptions(jvmOptions, compact, again, plus(againJvmOptions, value),
                    overheadRepeats, beforeJar);
            case "--spark-overhead" -> new SparkOptions(jvmOptions, compact, again, againJvmOptions,
                    Integer.parseInt(plus(List.of(), value).get(0)), beforeJar);
            case "--spark-before-jar" -> new SparkOptions(jvmOptions, compact, again, againJvmOptions, overheadRepeats,
                    java.nio.file.Path.of(plus(List.of(), value).get(0)).toAbsolutePath());
            default -> throw new IllegalArgumentException("not a Spark option: " + option);
        };
    }

    public static boolean takesValue(String option) {
        return !option.equals("--spark-skip-compact");
    }

    private static List<String> plus(List<String> list, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a --spark-* option needs a value; " + USAGE);
        }
        List<String> more = new ArrayList<>(list);
        more.add(value);
        return more;
    }
}
