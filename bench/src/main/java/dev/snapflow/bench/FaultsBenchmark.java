package dev.snapflow.bench;

import dev.snapflow.local.controlplane.ControlPlane;
import dev.snapflow.local.controlplane.FunctionProcess;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.LocalStackOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Issue 13's fault suite on the real stack, the long part (the short one is local/e2e-tests' {@code healing} tests):
 * {@link JobFlowBenchmark}'s control plane and TestJob, a burst of submissions per scenario, a fault injected once a
 * quarter of the burst's jobs have started, then recovery; per scenario the burst's outcome (the same counting as the
 * burst benchmark: process rows, states, job starts per attempt from TestJob's markers) and the seconds from recovery
 * until every process was terminal. The plane is shared by the scenarios, one after the other; each counts only its
 * own processes.
 */
public final class FaultsBenchmark {
    /** Its own tenants: the burst benchmark's exist already when both run on the same stack. */
    static final String TENANT = "benchfaults";
    static final String LOAD_TENANT = "benchfaultsload";
    /** The target: every process terminal within this long after recovery. */
    static final Duration TARGET_AFTER_RECOVERY = Duration.ofMinutes(2);
    static final Duration DATABASE_DOWN = Duration.ofSeconds(30);
    static final Duration CALLBACK_DOWN = Duration.ofMinutes(2);
    /** Marks a record this benchmark published again, so that it is not duplicated once more. */
    static final String DUPLICATE_HEADER = "snapflow-bench-duplicate";

    /**
     * One scenario's figures. downSeconds: from the fault until recovery was complete (the component ready again);
     * recoveredToTerminalSeconds: from then until every process of the burst was terminal (NaN if not within the
     * bound); openAtRecovery: processes of the burst not terminal at recovery (the work left, which drains at the
     * tenant's 4 jobs at a time whatever the fault did); redrivenTerminalSeconds: from recovery until the last process
     * with a re-driven step (a second attempt) was terminal, NaN if none was re-driven: the healing alone;
     * republished: records published a second time (the duplicate-delivery scenario only).
     */
    public record Result(String scenario, String fault, JobFlowBenchmark.Burst burst, double downSeconds,
                         double recoveredToTerminalSeconds, long openAtRecovery, double redrivenTerminalSeconds,
                         long failed, String failures, long republished, String error) {
        boolean metTarget() {
            return error == null && burst.missing() == 0 && failed == 0 && burst.duplicated() == 0
                    && burst.notTerminal() == 0 && burst.allTerminal()
                    && recoveredToTerminalSeconds <= TARGET_AFTER_RECOVERY.toSeconds();
        }
    }

    /** A fault: injects it, waits for its duration and undoes it; returns once the faulty part is ready again. */
    @FunctionalInterface
    private interface Fault {
        void injectAndRecover() throws Exception;
    }

    private final BenchEnvironment environment;
    private final JobFlowBenchmark flow;
    private final int burstSize;
    private final Duration bound;

    /**
     * @param burstSize submissions per scenario
     * @param bound how long after recovery a scenario waits for its processes before it counts them as not terminal
     */
    public FaultsBenchmark(BenchEnvironment environment, Path root, int burstSize, Duration bound) {
        this.environment = environment;
        this.flow = new JobFlowBenchmark(environment, root, TENANT, LOAD_TENANT);
        this.burstSize = burstSize;
        this.bound = bound;
    }

    public void setUp() throws Exception {
        flow.setUp();
    }

    public void tearDown() {
        flow.tearDown();
    }

    /** The five scenarios, in order; a scenario that throws is reported with its error and the next one runs. */
    public List<Result> runAll() {
        LocalStack stack = environment.stack();
        List<Result> results = new ArrayList<>();
        results.add(run("control plane killed", "SIGKILL of the four functions and every job JVM (a node loss); "
                + "the supervisor starts them again on the same state", this::killControlPlane, false));
        results.add(run("Kafka restart", "the broker stopped (SIGTERM) and started again on the same port and log dir",
                () -> {
                    stack.stopKafka();
                    stack.startKafka();
                }, false));
        results.add(run("PostgreSQL down 30 s", "the embedded server stopped (fast shutdown), started again after "
                + DATABASE_DOWN.toSeconds() + " s on the same data", () -> {
                    stack.stopDatabaseServer();
                    Thread.sleep(DATABASE_DOWN.toMillis()); // the fault's length, not a wait for a condition
                    stack.startDatabaseServer();
                }, false));
        results.add(run("callback down 2 min", "callback stopped (SIGTERM) while jobs run and finish, started again "
                + "after " + CALLBACK_DOWN.toSeconds() + " s", () -> {
                    flow.plane().stop("callback");
                    Thread.sleep(CALLBACK_DOWN.toMillis()); // the fault's length
                    flow.plane().restart("callback", Map.of());
                }, false));
        results.add(run("every event twice", "every record of " + LocalStackOptions.EVENTS_TOPIC.name() + " and "
                + LocalStackOptions.JOBS_TOPIC.name() + " published once more (same key, value, headers, partition) "
                + "for the whole burst", () -> { }, true));
        return results;
    }

    private Result run(String name, String description, Fault fault, boolean duplicateEvents) {
        System.err.printf("faults: %s: %d submissions%n", name, burstSize);
        try (Duplicator duplicator = duplicateEvents ? Duplicator.start(environment.stack().kafka().bootstrapServers()) : null) {
            long begin = System.nanoTime();
            JobFlowBenchmark.Submitted submitted = flow.submitBurst(burstSize);
            awaitStarted(submitted.ids(), Math.max(1, submitted.ids().size() / 4), Duration.ofMinutes(3));
            long injected = System.nanoTime();
            System.err.printf("faults: %s: injecting%n", name);
            fault.injectAndRecover();
            long recovered = System.nanoTime();
            long recoveredAtMillis = System.currentTimeMillis();
            long openAtRecovery = submitted.ids().size() - terminalCount(submitted.ids());
            System.err.printf("faults: %s: recovered after %.1f s; waiting for %d processes (%d not terminal)%n", name,
                    (recovered - injected) / 1e9, submitted.ids().size(), openAtRecovery);
            boolean allTerminal = flow.awaitTerminal(submitted.ids(), bound);
            long end = System.nanoTime();
            JobFlowBenchmark.Burst burst = flow.outcome(submitted, (end - begin) / 1e9, allTerminal);
            List<String> failures = failures(submitted.ids());
            Result result = new Result(name, description, burst, (recovered - injected) / 1e9,
                    allTerminal ? (end - recovered) / 1e9 : Double.NaN, openAtRecovery,
                    lastRedrivenTerminalMillis(submitted.ids()).map(at -> (at - recoveredAtMillis) / 1e3).orElse(Double.NaN),
                    failures.size(), summarise(failures),
                    duplicator == null ? 0 : duplicator.republished(), null);
            System.err.printf("faults: %s: %s%n", name, result);
            return result;
        } catch (Exception | AssertionError e) {
            System.err.printf("faults: %s failed: %s%n", name, e);
            e.printStackTrace();
            return new Result(name, description, null, Double.NaN, Double.NaN, 0, Double.NaN, 0, "", 0, e.toString());
        }
    }

    /**
     * A node loss: the job JVMs (children of launch's local backend) and the four function JVMs get SIGKILL at once;
     * the plane's supervisor starts the functions again as Knative would recreate their pods. Returns once all four
     * run again, healthy.
     */
    private void killControlPlane() throws Exception {
        ControlPlane plane = flow.plane();
        List<FunctionProcess> functions = plane.running();
        Set<Long> before = functions.stream().map(FunctionProcess::pid).collect(Collectors.toSet());
        List<ProcessHandle> all = new ArrayList<>();
        for (FunctionProcess function : functions) {
            ProcessHandle.of(function.pid()).ifPresent(handle -> {
                all.add(handle);
                handle.descendants().forEach(all::add);
            });
        }
        System.err.printf("faults: SIGKILL of %d processes (%d functions and their children)%n", all.size(), functions.size());
        all.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            List<FunctionProcess> running = plane.running();
            boolean back = running.size() == ControlPlane.FUNCTIONS.size()
                    && running.stream().allMatch(f -> f.alive() && !before.contains(f.pid()));
            if (back) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the control plane was not running again 5 min after the kill: " + running);
            }
            Thread.sleep(200);
        }
    }

    /** Until at least {@code atLeast} of the processes have a job that reported RUNNING, so the fault hits work in flight. */
    private void awaitStarted(List<String> ids, int atLeast, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection connection = environment.stack().database().openConnection();
                 PreparedStatement select = connection.prepareStatement(
                         "SELECT count(DISTINCT process_id) FROM attempts WHERE process_id = ANY (?) AND started_at IS NOT NULL")) {
                select.setArray(1, connection.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray()));
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    if (row.getLong(1) >= atLeast) {
                        return;
                    }
                }
            }
            Thread.sleep(100);
        }
        System.err.printf("faults: fewer than %d jobs started within %d s; injecting anyway%n", atLeast, timeout.toSeconds());
    }

    private long terminalCount(List<String> ids) throws SQLException {
        try (Connection connection = environment.stack().database().openConnection();
             PreparedStatement select = connection.prepareStatement("""
                     SELECT count(*) FROM processes WHERE id = ANY (?) AND state IN ('SUCCEEDED', 'FAILED', 'CANCELLED')""")) {
            select.setArray(1, connection.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray()));
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** When the last process with a second attempt of a step ended (epoch ms; the database runs on this machine's clock). */
    private java.util.Optional<Long> lastRedrivenTerminalMillis(List<String> ids) throws SQLException {
        try (Connection connection = environment.stack().database().openConnection();
             PreparedStatement select = connection.prepareStatement("""
                     SELECT (EXTRACT(EPOCH FROM max(p.finished_at)) * 1000)::bigint FROM processes p
                     WHERE p.id = ANY (?) AND EXISTS (SELECT 1 FROM attempts a WHERE a.process_id = p.id AND a.attempt > 1)""")) {
            select.setArray(1, connection.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray()));
            try (ResultSet row = select.executeQuery()) {
                row.next();
                long at = row.getLong(1);
                return row.wasNull() ? java.util.Optional.empty() : java.util.Optional.of(at);
            }
        }
    }

    /** "state error_class: error_message" of the processes that ended other than SUCCEEDED. */
    private List<String> failures(List<String> ids) throws SQLException {
        List<String> failures = new ArrayList<>();
        try (Connection connection = environment.stack().database().openConnection();
             PreparedStatement select = connection.prepareStatement("""
                     SELECT state, error_class, error_message FROM processes
                     WHERE id = ANY (?) AND state IN ('FAILED', 'CANCELLED')""")) {
            select.setArray(1, connection.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray()));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    failures.add(row.getString(1) + " " + row.getString(2) + ": " + row.getString(3));
                }
            }
        }
        return failures;
    }

    /** Distinct failures with their counts, e.g. "3× FAILED X: y". */
    private static String summarise(List<String> failures) {
        return failures.stream().collect(Collectors.groupingBy(f -> f, java.util.TreeMap::new, Collectors.counting()))
                .entrySet().stream().map(e -> e.getValue() + "× " + e.getKey()).collect(Collectors.joining("; "));
    }

    /**
     * Every record of the events and jobs topics published once more, as an at-least-once transport may deliver it:
     * same partition, key, value and headers (so the same CloudEvent id), with {@link #DUPLICATE_HEADER} added so
     * that the copy is not copied again. Reads from the end of the topics as of its start.
     */
    static final class Duplicator implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong republished = new AtomicLong();
        private final Thread thread;

        private Duplicator(KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer) {
            this.thread = Thread.ofPlatform().name("faults-duplicator").start(() -> {
                try (consumer; producer) {
                    while (!stop.get()) {
                        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                            if (record.headers().lastHeader(DUPLICATE_HEADER) != null) {
                                continue;
                            }
                            RecordHeaders headers = new RecordHeaders();
                            for (Header header : record.headers()) {
                                headers.add(header);
                            }
                            headers.add(DUPLICATE_HEADER, "1".getBytes(StandardCharsets.UTF_8));
                            producer.send(new ProducerRecord<>(record.topic(), record.partition(), record.key(),
                                    record.value(), headers));
                            republished.incrementAndGet();
                        }
                        consumer.commitAsync();
                    }
                } catch (RuntimeException e) {
                    System.err.println("faults: the duplicator stopped: " + e);
                }
            });
        }

        static Duplicator start(String bootstrapServers) {
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.GROUP_ID_CONFIG, "bench-duplicator-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 0),
                    new ByteArraySerializer(), new ByteArraySerializer());
            consumer.subscribe(List.of(LocalStackOptions.EVENTS_TOPIC.name(), LocalStackOptions.JOBS_TOPIC.name()));
            // The burst must not start before the duplicator has its partitions and positions (from "latest").
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100));
            }
            consumer.assignment().forEach(consumer::position);
            return new Duplicator(consumer, producer);
        }

        long republished() {
            return republished.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(Duration.ofSeconds(30));
        }
    }

    /**
     * Runs the suite on its own control plane and returns its results section. Quick: 40 submissions per scenario,
     * full: 100. The bound only caps a wait that ends when all are terminal: the queue left at recovery drains at the
     * tenant's 4 jobs at a time, which took ~4 min for 30 processes at load average 20 (2026-12-03: 4 min was 1 s short).
     */
    static String runSection(BenchEnvironment environment, Path root, boolean quick, List<String> verdicts) {
        int burstSize = quick ? 40 : 100;
        Duration bound = quick ? Duration.ofMinutes(8) : Duration.ofMinutes(20);
        FaultsBenchmark benchmark = new FaultsBenchmark(environment, root, burstSize, bound);
        List<Result> results;
        try {
            benchmark.setUp();
            results = benchmark.runAll();
        } catch (Exception e) {
            System.err.println("faults: the control plane did not start: " + e);
            verdicts.add("faults: 0 lost, 0 duplicated, 0 stuck\terror: " + e + "\t" + Targets.verdict(java.util.Optional.empty()));
            return "## 6. Faults\n\nThe control plane did not start: " + e + "\n\n";
        } finally {
            benchmark.tearDown();
        }
        return section(results, burstSize, bound, verdicts);
    }

    /** The results section and a verdict per scenario. */
    static String section(List<Result> results, int burstSize, Duration bound, List<String> verdicts) {
        StringBuilder out = new StringBuilder("## 6. Faults\n\n");
        out.append("Issue 13's fault suite, the long part (the short one runs in `./mvnw verify`: local/e2e-tests' ")
                .append("`healing` tests). Per scenario ").append(burstSize).append(" submissions of TestJob (`succeed`) ")
                .append("for one tenant (maxConcurrentJobs=4) on the whole control plane, the fault injected once a quarter ")
                .append("of them have a job that reported RUNNING, then recovery; a process not terminal ")
                .append(bound.toSeconds()).append(" s after recovery counts as not terminal. Lost: accepted without a ")
                .append("process row; failed: ended FAILED or CANCELLED (TestJob succeeds, so the fault cost its work); ")
                .append("duplicated: attempts whose job started more than once (TestJob's `it-runs/{jobId}/` markers); ")
                .append("steps re-run: steps whose job started under two attempts (the first attempt lost or failed, the step ")
                .append("retried: its work ran twice, though no job started twice). ")
                .append("Target: 0 lost, 0 failed, 0 duplicated, 0 not terminal, all terminal within ")
                .append(TARGET_AFTER_RECOVERY.toSeconds()).append(" s of recovery.\n\n");
        MarkdownTable table = new MarkdownTable("scenario", "accepted", "fault to recovered (s)",
                "not terminal at recovery", "recovered to all terminal (s)", "recovered to last re-driven terminal (s)",
                "succeeded", "lost", "failed", "duplicated", "not terminal",
                "attempts", "steps re-run", "records published twice");
        for (Result r : results) {
            if (r.burst() == null) {
                table.row(r.scenario(), "error: " + r.error(), "", "", "", "", "", "", "", "", "", "", "", "");
                continue;
            }
            JobFlowBenchmark.Burst b = r.burst();
            table.row(r.scenario(), b.accepted() + " of " + b.submitted(), r.downSeconds(), r.openAtRecovery(),
                    Double.isNaN(r.recoveredToTerminalSeconds()) ? "not within " + bound.toSeconds() + " s"
                            : r.recoveredToTerminalSeconds(),
                    Double.isNaN(r.redrivenTerminalSeconds()) ? "none re-driven" : r.redrivenTerminalSeconds(),
                    b.succeeded(), b.missing(), r.failed(), b.duplicated(),
                    b.notTerminal() + (b.notTerminal() > 0 ? " " + b.notTerminalStates() : ""), b.attempts(),
                    b.rerunSteps(), r.fault().startsWith("every record") ? r.republished() : "–");
        }
        out.append(table.render()).append('\n');
        out.append("Faults:\n\n");
        for (Result r : results) {
            out.append("- **").append(r.scenario()).append("**: ").append(r.fault());
            if (r.failures() != null && !r.failures().isEmpty()) {
                out.append(". Failures: ").append(r.failures());
            }
            out.append('\n');
        }
        out.append('\n');
        for (Result r : results) {
            String measured = r.burst() == null ? "error: " + r.error()
                    : r.burst().missing() + " lost, " + r.failed() + " failed, " + r.burst().duplicated() + " duplicated, "
                    + r.burst().notTerminal() + " not terminal, "
                    + (Double.isNaN(r.recoveredToTerminalSeconds()) ? "not all terminal"
                    : String.format(java.util.Locale.ROOT, "all terminal %.0f s after recovery", r.recoveredToTerminalSeconds()));
            verdicts.add("fault " + r.scenario() + ": 0 lost, 0 duplicated, 0 stuck, terminal ≤ 2 min after recovery\t"
                    + measured + "\t" + Targets.verdict(java.util.Optional.of(r.metTarget())));
        }
        return out.toString();
    }
}
