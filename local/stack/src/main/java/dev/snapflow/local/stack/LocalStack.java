package dev.snapflow.local.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Real Kafka, S3 API and PostgreSQL on this machine, without Docker, for tests and {@code snapflow up}.
 *
 * <p>Kafka and S3Proxy (and the embedded PostgreSQL server) run in child JVMs with their own class path, so none of
 * their dependencies meet the caller's. The three start in parallel; {@link #start} returns once each is ready: Kafka
 * with its topics, S3 with its bucket, the database created and migrated. The children exit on {@link #close()}, on
 * this JVM's shutdown, and also when this JVM is killed (each watches its parent process).
 */
public final class LocalStack implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LocalStack.class.getName());

    private final LocalStackOptions options;
    private final StackLayout layout;
    private final WorkDirLock lock;
    private final KafkaBroker kafka;
    private final S3Server s3;
    private final StackDatabase database;
    private final Duration startupTime;
    private final Thread shutdownHook;
    private boolean closed;

    private LocalStack(LocalStackOptions options, StackLayout layout, WorkDirLock lock, KafkaBroker kafka, S3Server s3,
                       StackDatabase database, Duration startupTime) {
        this.options = options;
        this.layout = layout;
        this.lock = lock;
        this.kafka = kafka;
        this.s3 = s3;
        this.database = database;
        this.startupTime = startupTime;
        this.shutdownHook = new Thread(this::close, "local-stack-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts Kafka, S3 and PostgreSQL in parallel and waits until each is ready.
     *
     * @throws LocalStackStartException naming the component that failed (and its log file); whatever did start is
     *     stopped again
     */
    public static LocalStack start(LocalStackOptions options) {
        long started = System.nanoTime();
        StackLayout layout = StackLayout.create(options.workDir());
        WorkDirLock lock = WorkDirLock.acquire(layout);
        try {
            String classpath = NodeClasspath.resolve();
            PortPlan ports = PortPlan.reserve(options);
            ClassLoader callerLoader = Thread.currentThread().getContextClassLoader();
            try (ExecutorService executor = Executors.newThreadPerTaskExecutor(
                    Thread.ofPlatform().name("local-stack-start-", 1).daemon().factory())) {
                Future<Timed<KafkaBroker>> kafka = executor.submit(timed(() -> onFreePortIfTaken(
                        KafkaBroker.COMPONENT, options.kafkaPort(), ports.kafka(),
                        port -> KafkaBroker.start(options, layout, port, classpath))));
                Future<Timed<S3Server>> s3 = executor.submit(timed(() -> onFreePortIfTaken(
                        S3Server.COMPONENT, options.s3Port(), ports.s3(),
                        port -> S3Server.start(options, layout, port, classpath))));
                Future<Timed<StackDatabase>> database = executor.submit(timed(() -> onFreePortIfTaken(
                        StackDatabase.COMPONENT, options.postgresPort(), ports.postgres(),
                        port -> StackDatabase.start(options, layout, port, classpath, callerLoader))));
                List<RuntimeException> failures = new ArrayList<>();
                Timed<KafkaBroker> kafkaStarted = await(kafka, failures);
                Timed<S3Server> s3Started = await(s3, failures);
                Timed<StackDatabase> databaseStarted = await(database, failures);
                if (!failures.isEmpty()) {
                    closeAll(kafkaStarted, s3Started, databaseStarted);
                    RuntimeException first = failures.getFirst();
                    failures.stream().skip(1).forEach(first::addSuppressed);
                    throw first;
                }
                Duration startupTime = Duration.ofNanos(System.nanoTime() - started);
                LOG.log(System.Logger.Level.INFO, String.format(Locale.ROOT,
                        "Local stack ready in %.2f s (Kafka %.2f s, S3 %.2f s, PostgreSQL %.2f s%s); work dir %s",
                        seconds(startupTime), seconds(kafkaStarted.time()), seconds(s3Started.time()),
                        seconds(databaseStarted.time()), options.embeddedDatabase() ? ", embedded" : ", external server",
                        layout.workDir()));
                return new LocalStack(options, layout, lock, kafkaStarted.value(), s3Started.value(),
                        databaseStarted.value(), startupTime);
            }
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    public KafkaEndpoint kafka() {
        return kafka.endpoint();
    }

    public S3Endpoint s3() {
        return s3.endpoint();
    }

    public DatabaseEndpoint database() {
        return database.endpoint();
    }

    public Path workDir() {
        return layout.workDir();
    }

    /**
     * Stops the Kafka broker (SIGTERM) and keeps it down until {@link #startKafka}, which starts it on the same port
     * with the same log dir: a broker restart, for fault benchmarks.
     */
    public void stopKafka() {
        kafka.stop();
    }

    /** After {@link #stopKafka}: the broker again, with its topics and data; returns once it is ready. */
    public void startKafka() {
        kafka.startAgain(options.startupTimeout());
    }

    /**
     * Stops the embedded PostgreSQL server (a fast shutdown) and keeps it down until {@link #startDatabaseServer}: the
     * database unreachable, for fault benchmarks. Not for an external server.
     */
    public void stopDatabaseServer() {
        database.stopServer();
    }

    /** After {@link #stopDatabaseServer}: the same server on the same port and data; returns once it is ready. */
    public void startDatabaseServer() {
        database.startServerAgain(options.startupTimeout());
    }

    /** From the call of {@link #start} until every component was ready. */
    public Duration startupTime() {
        return startupTime;
    }

    public LocalStackOptions options() {
        return options;
    }

    /** Stops every component (in parallel), drops a throwaway database, deletes a temporary work dir. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shutdownInProgress) {
                // the hook is running or about to; this call does the work first
            }
        }
        long stopping = System.nanoTime();
        closeAll(new Timed<>(kafka, Duration.ZERO), new Timed<>(s3, Duration.ZERO), new Timed<>(database, Duration.ZERO));
        lock.close();
        if (options.deleteWorkDirOnClose()) {
            layout.deleteAll();
        }
        LOG.log(System.Logger.Level.INFO, String.format(Locale.ROOT, "Local stack stopped in %.2f s",
                seconds(Duration.ofNanos(System.nanoTime() - stopping))));
    }

    private static void closeAll(Timed<?>... components) {
        try (ExecutorService executor = Executors.newThreadPerTaskExecutor(
                Thread.ofPlatform().name("local-stack-stop-", 1).daemon().factory())) {
            for (Timed<?> component : components) {
                if (component != null) {
                    executor.execute(() -> {
                        try {
                            component.close();
                        } catch (Exception e) {
                            LOG.log(System.Logger.Level.WARNING, "a local stack component did not stop cleanly", e);
                        }
                    });
                }
            }
        }
    }

    /**
     * A free port is only known free when checked; if another process takes it before the node binds it, a component
     * asked to run on any free port (0) tries once more on a new one. A fixed port is reported as taken.
     */
    private static <T> T onFreePortIfTaken(String component, int requestedPort, int plannedPort, IntFunction<T> start) {
        try {
            return start.apply(plannedPort);
        } catch (LocalStackStartException e) {
            if (requestedPort != 0 || !e.isPortInUse()) {
                throw e;
            }
            LOG.log(System.Logger.Level.WARNING, "{0}: port {1} was taken before the node bound it; trying another free port",
                    component, plannedPort);
            return start.apply(PortPlan.freePort(component));
        }
    }

    private static <T> T await(Future<T> future, List<RuntimeException> failures) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            failures.add(e.getCause() instanceof RuntimeException runtime ? runtime
                    : new LocalStackStartException("local stack", "a component failed to start: " + e.getCause(), e.getCause()));
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failures.add(new LocalStackStartException("local stack", "interrupted while starting", e));
            return null;
        }
    }

    private static <T extends AutoCloseable> Callable<Timed<T>> timed(Callable<T> start) {
        return () -> {
            long begin = System.nanoTime();
            T value = start.call();
            return new Timed<>(value, Duration.ofNanos(System.nanoTime() - begin));
        };
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    private record Timed<T extends AutoCloseable>(T value, Duration time) {
        void close() throws Exception {
            value.close();
        }
    }
}
