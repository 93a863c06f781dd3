package dev.snapflow.bench;

import dev.snapflow.local.controlplane.ControlPlane;
import dev.snapflow.local.stack.LocalStack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The functions' configuration on the local stack, the same environment variables the end-to-end tests and the
 * containers use. Secrets here are benchmark-only values.
 */
public final class BenchEnvironment {
    public static final String ADMIN_TOKEN = "admin-token-for-benchmarks-0123";
    public static final String API_KEY_PEPPER = "pepper-for-benchmarks-0123456789";
    public static final String CALLBACK_HMAC_KEY = "callback-hmac-key-for-benchmarks-0123456789abcdef";
    /**
     * The JVM of a function's container, for the benchmarks that measure a function as it runs in production: cold
     * start and the submission API. These are the flags of knative/base/functions/*.yaml's JAVA_TOOL_OPTIONS (the AOT
     * cache aside, which the cold start benchmark adds itself) plus {@code -XX:MaxRAM} standing in for the container's
     * 512 MiB memory limit: the JVM sizes its heap from it (initial 8 MiB, at most 384 MiB) as it would in the pod,
     * where this machine's 24 GiB would otherwise make the initial heap 378 MiB. The JVM's default compilers;
     * {@code snapflow up}'s C1-only flags trade peak throughput for start.
     */
    public static final List<String> PRODUCTION_JVM_FLAGS = List.of("-XX:MaxRAM=512m", "-XX:MaxRAMPercentage=75",
            "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError");

    private final LocalStack stack;
    private final Path root;
    private final Path workDir;

    public BenchEnvironment(LocalStack stack, Path root, Path workDir) {
        this.stack = stack;
        this.root = root;
        this.workDir = workDir;
    }

    public LocalStack stack() {
        return stack;
    }

    public Path functionsDir() {
        return root.resolve("functions");
    }

    public Path workDir() {
        return workDir;
    }

    public Path functionJar(String name) {
        return functionsDir().resolve(name).resolve("target").resolve("function-" + name + ".jar");
    }

    public Map<String, String> common() {
        Map<String, String> env = new HashMap<>();
        env.put("SNAPFLOW_DB_URL", stack.database().jdbcUrl());
        env.put("SNAPFLOW_DB_USER", stack.database().username());
        env.put("SNAPFLOW_DB_PASSWORD", stack.database().password());
        env.put("SNAPFLOW_TRANSPORT", "kafka");
        env.put("SNAPFLOW_KAFKA_BOOTSTRAP_SERVERS", stack.kafka().bootstrapServers());
        env.put("SNAPFLOW_CALLBACK_HMAC_KEY", CALLBACK_HMAC_KEY);
        env.put("SNAPFLOW_S3_ENDPOINT", stack.s3().endpoint().toString());
        env.put("SNAPFLOW_S3_REGION", stack.s3().region());
        env.put("SNAPFLOW_S3_BUCKET", stack.s3().bucket());
        env.put("AWS_ACCESS_KEY_ID", stack.s3().accessKey());
        env.put("AWS_SECRET_ACCESS_KEY", stack.s3().secretKey());
        return env;
    }

    /** Each function's own required settings (launch uses the local backend; no job is started by these benchmarks). */
    public Map<String, Map<String, String>> perFunction() {
        Map<String, Map<String, String>> perFunction = new HashMap<>();
        perFunction.put("validate", Map.of("SNAPFLOW_API_KEY_PEPPER", API_KEY_PEPPER,
                "SNAPFLOW_ADMIN_TOKEN", ADMIN_TOKEN));
        perFunction.put("launch", Map.of("SNAPFLOW_LAUNCH_BACKEND", "local",
                "SNAPFLOW_LOCAL_JOB_CLASSPATH", workDir.resolve("no-jobs-in-this-benchmark").toString(),
                "SNAPFLOW_LOCAL_WORK_DIR", workDir.resolve("jobs").toString()));
        perFunction.put("enqueue", Map.of());
        perFunction.put("callback", Map.of());
        return perFunction;
    }

    /** Everything one function reads, as its container would get it. */
    public Map<String, String> environmentOf(String function, int port) {
        Map<String, String> env = new HashMap<>(common());
        env.put("SNAPFLOW_CALLBACK_URL", "http://127.0.0.1:1");
        env.putAll(perFunction().getOrDefault(function, Map.of()));
        env.put("PORT", Integer.toString(port));
        // Management endpoints (/health with details, /prometheus) on a free port of their own, not the default.
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            env.put("SNAPFLOW_MANAGEMENT_PORT", Integer.toString(free.getLocalPort()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("no free port", e);
        }
        return env;
    }

    /** @param extra more environment per function, e.g. JAVA_TOOL_OPTIONS for a JFR recording */
    public ControlPlane startControlPlane(List<String> functions, Map<String, Map<String, String>> extra) {
        Map<String, Map<String, String>> perFunction = new HashMap<>();
        perFunction().forEach((name, env) -> {
            Map<String, String> merged = new HashMap<>(env);
            merged.putAll(extra.getOrDefault(name, Map.of()));
            perFunction.put(name, merged);
        });
        return ControlPlane.start(new ControlPlane.Settings(functionsDir(), workDir, common(), perFunction,
                Duration.ofMinutes(3)).withJvmFlags(PRODUCTION_JVM_FLAGS), functions);
    }
}
