package dev.snapflow.local.controlplane;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The four functions of the control plane as separate JVMs on one machine, wired to one Kafka, S3 endpoint and
 * PostgreSQL database through the same environment variables their containers read. Functions start in
 * parallel; {@link #close()} stops every one that started. Meant to be reused by {@code snapflow up}.
 *
 * <p>Supervised as Knative recreates a pod: a function whose JVM exits while the plane runs (a crash, the OOM
 * killer, a SIGKILL) is started again after a backoff that doubles from {@link #FIRST_RESTART_DELAY} up to
 * {@link #MAX_RESTART_DELAY}, and starts from the first delay again once a function stayed up for
 * {@link #HEALTHY_PERIOD}. After {@link #MAX_FAILED_STARTS} starts in a row that never became healthy it is left
 * down (logged). A function stopped through {@link #restart} or {@link #close()} is not restarted.
 */
public final class ControlPlane implements AutoCloseable {
    public static final List<String> FUNCTIONS = List.of("validate", "enqueue", "launch", "callback");
    static final Duration FIRST_RESTART_DELAY = Duration.ofSeconds(1);
    static final Duration MAX_RESTART_DELAY = Duration.ofMinutes(1);
    static final Duration HEALTHY_PERIOD = Duration.ofMinutes(2);
    static final int MAX_FAILED_STARTS = 5;
    private static final System.Logger LOG = System.getLogger(ControlPlane.class.getName());

    private final Settings settings;
    private final Map<String, FunctionProcess> running = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, Integer> ports = new HashMap<>();
    /** The overrides each function was last started with, so that a restart after a crash keeps them. */
    private final Map<String, Map<String, String>> overrides = new ConcurrentHashMap<>();
    private final Map<String, RestartBackoff> backoffs = new ConcurrentHashMap<>();
    /** Held while a function is replaced (by hand or after a crash), so that only one JVM ever takes its port. */
    private final ReentrantLock replacing = new ReentrantLock();
    private final ScheduledExecutorService supervisor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "control-plane-supervisor");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean closed;
    private final Map<String, Integer> managementPorts = new HashMap<>();

    /**
     * Four functions share a laptop's cores with Kafka, PostgreSQL, S3Proxy and Spark: C1 only starts faster and
     * keeps each JVM small, at the cost of peak throughput. Production (knative/) runs the JVM's defaults with an
     * AOT cache; benchmarks of throughput pass flags like production's through {@link Settings#withJvmFlags}.
     */
    public static final List<String> LOCAL_JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-Xmx256m");

    /** The functions' own default ports (their application.yml), used by {@code snapflow up}. */
    public static final Map<String, Integer> DEFAULT_PORTS = Map.of("validate", 8080, "enqueue", 8081,
            "launch", 8082, "callback", 8083);

    /**
     * A function with a fixed port gets its management port (health with details, prometheus) this much higher:
     * 9080-9083 for the default ports, the functions' own defaults of {@code SNAPFLOW_MANAGEMENT_PORT}. A function
     * on a free port gets a free management port too.
     */
    public static final int MANAGEMENT_PORT_OFFSET = 1000;

    /**
     * @param functionsDir the {@code functions/} directory holding each function's {@code target/}
     * @param workDir      where each function's log goes ({@code <name>.log})
     * @param common       environment for every function (database, Kafka, S3, shared keys, catalog)
     * @param perFunction  extra environment per function name
     * @param ports        port per function name; a missing entry or 0 picks a free port
     * @param jvmFlags     JVM flags of every function, {@link #LOCAL_JVM_FLAGS} unless a caller measures otherwise
     */
    public record Settings(Path functionsDir, Path workDir, Map<String, String> common,
                           Map<String, Map<String, String>> perFunction, Duration startTimeout,
                           Map<String, Integer> ports, List<String> jvmFlags) {
        public Settings {
            ports = Map.copyOf(ports);
            jvmFlags = List.copyOf(jvmFlags);
        }

        /** Fixed ports (a missing entry or 0: a free one), the local JVM flags. */
        public Settings(Path functionsDir, Path workDir, Map<String, String> common,
                        Map<String, Map<String, String>> perFunction, Duration startTimeout,
                        Map<String, Integer> ports) {
            this(functionsDir, workDir, common, perFunction, startTimeout, ports, LOCAL_JVM_FLAGS);
        }

        /** Free ports for every function (tests running side by side). */
        public Settings(Path functionsDir, Path workDir, Map<String, String> common,
                        Map<String, Map<String, String>> perFunction, Duration startTimeout) {
            this(functionsDir, workDir, common, perFunction, startTimeout, Map.of());
        }

        /** The same settings with other JVM flags for every function. */
        public Settings withJvmFlags(List<String> flags) {
            return new Settings(functionsDir, workDir, common, perFunction, startTimeout, ports, flags);
        }
    }

    private ControlPlane(Settings settings) {
        this.settings = settings;
    }

    /**
     * Takes the configured ports (free ones where none is set), starts the functions and waits until all are
     * healthy.
     *
     * @throws PortInUseException when a fixed port is taken (checked for every function before any starts)
     */
    public static ControlPlane start(Settings settings, List<String> functions) {
        ControlPlane plane = new ControlPlane(settings);
        for (String name : FUNCTIONS) {
            int port = settings.ports().getOrDefault(name, 0);
            int managementPort;
            if (port == 0) {
                port = freePort();
                managementPort = freePort();
            } else {
                managementPort = port + MANAGEMENT_PORT_OFFSET;
                if (functions.contains(name)) {
                    PortInUseException.checkFree(name, port);
                    PortInUseException.checkFree(name, managementPort);
                }
            }
            plane.ports.put(name, port);
            plane.managementPorts.put(name, managementPort);
        }
        try (ExecutorService starter = Executors.newFixedThreadPool(functions.size())) {
            List<Future<FunctionProcess>> starting = new ArrayList<>();
            for (String name : functions) {
                starting.add(starter.submit(() -> plane.launch(name)));
            }
            RuntimeException failure = null;
            for (Future<FunctionProcess> future : starting) {
                try {
                    FunctionProcess function = future.get();
                    plane.running.put(function.name(), function);
                    plane.supervise(function);
                } catch (Exception e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
                    if (failure == null) {
                        failure = cause;
                    } else {
                        failure.addSuppressed(cause);
                    }
                }
            }
            if (failure != null) {
                plane.close();
                throw failure;
            }
        }
        return plane;
    }

    /** The port a function listens on (known before it starts, so functions can name each other). */
    public int port(String name) {
        return ports.get(name);
    }

    public String baseUrl(String name) {
        return "http://127.0.0.1:" + port(name);
    }

    /** The function's management port ({@code SNAPFLOW_MANAGEMENT_PORT}): {@code /health} with details, {@code /prometheus}. */
    public int managementPort(String name) {
        return managementPorts.get(name);
    }

    public String managementUrl(String name) {
        return "http://127.0.0.1:" + managementPort(name);
    }

    /** The functions running now, in start order. */
    public List<FunctionProcess> running() {
        synchronized (running) {
            return List.copyOf(running.values());
        }
    }

    public FunctionProcess function(String name) {
        FunctionProcess function = running.get(name);
        if (function == null) {
            throw new IllegalArgumentException(name + " is not running");
        }
        return function;
    }

    /**
     * Stops one function on purpose (SIGTERM, then SIGKILL after a grace period) and keeps it down: the supervisor
     * does not start it again; {@link #restart} does. For faults that last (a function down while jobs finish).
     */
    public void stop(String name) {
        replacing.lock();
        try {
            FunctionProcess function = running.remove(name);
            if (function != null) {
                function.close();
            }
        } finally {
            replacing.unlock();
        }
    }

    /**
     * Starts (again) one function, e.g. after {@link FunctionProcess#kill()}, with optional overrides (kept for
     * later restarts after a crash). Whichever comes first, this or the supervisor's restart, the other finds the
     * function replaced: this one stops the supervisor's fresh JVM and starts its own.
     */
    public FunctionProcess restart(String name, Map<String, String> overrides) {
        replacing.lock();
        try {
            FunctionProcess old = running.remove(name);
            if (old != null) {
                old.close();
            }
            this.overrides.put(name, Map.copyOf(overrides));
            FunctionProcess function = launch(name, overrides);
            running.put(name, function);
            supervise(function);
            return function;
        } finally {
            replacing.unlock();
        }
    }

    private void supervise(FunctionProcess function) {
        function.onExit().thenAccept(this::exited);
    }

    private void exited(FunctionProcess dead) {
        if (closed || running.get(dead.name()) != dead) {
            return; // stopped on purpose, or already replaced
        }
        RestartBackoff backoff = backoffs.computeIfAbsent(dead.name(), name -> new RestartBackoff());
        Duration delay = backoff.afterCrash(dead.healthySince());
        LOG.log(System.Logger.Level.WARNING, "{0} (pid {1}) exited unexpectedly with code {2}; restarting it in {3} s",
                dead.name(), Long.toString(dead.pid()), dead.exitCode(), delay.toMillis() / 1000.0);
        scheduleRestart(dead, delay);
    }

    private void scheduleRestart(FunctionProcess dead, Duration delay) {
        try {
            supervisor.schedule(() -> restartAfterCrash(dead), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // the plane is being closed
        }
    }

    private void restartAfterCrash(FunctionProcess dead) {
        String name = dead.name();
        replacing.lock();
        try {
            if (closed || running.get(name) != dead) {
                return;
            }
            FunctionProcess fresh = launch(name, overrides.getOrDefault(name, Map.of()));
            running.put(name, fresh);
            supervise(fresh);
            LOG.log(System.Logger.Level.INFO, "{0} restarted after a crash (pid {1}), healthy", name,
                    Long.toString(fresh.pid()));
        } catch (RuntimeException failed) {
            if (closed) {
                return;
            }
            RestartBackoff backoff = backoffs.get(name);
            if (backoff.failedStart() >= MAX_FAILED_STARTS) {
                LOG.log(System.Logger.Level.ERROR, "{0} did not start healthy {1} times in a row; leaving it down: {2}",
                        name, MAX_FAILED_STARTS, failed.getMessage());
                return;
            }
            Duration delay = backoff.nextDelay();
            LOG.log(System.Logger.Level.WARNING, "{0} could not be restarted ({1}); trying again in {2} s", name,
                    failed.getMessage(), delay.toMillis() / 1000.0);
            scheduleRestart(dead, delay);
        } finally {
            replacing.unlock();
        }
    }

    private FunctionProcess launch(String name) {
        return launch(name, Map.of());
    }

    private FunctionProcess launch(String name, Map<String, String> overrides) {
        Map<String, String> environment = new HashMap<>(settings.common());
        // Jobs report to callback: enqueue writes its URL into every job's arguments.
        environment.put("SNAPFLOW_CALLBACK_URL", baseUrl("callback"));
        environment.put("SNAPFLOW_MANAGEMENT_PORT", Integer.toString(managementPort(name)));
        environment.putAll(settings.perFunction().getOrDefault(name, Map.of()));
        environment.putAll(overrides);
        Path jar = settings.functionsDir().resolve(name).resolve("target").resolve("function-" + name + ".jar");
        return FunctionProcess.start(name, jar, port(name), environment, settings.jvmFlags(), settings.workDir(),
                settings.startTimeout());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    /** Stops supervising first (a pending restart is dropped, one in progress is interrupted), then every function. */
    @Override
    public void close() {
        closed = true;
        supervisor.shutdownNow();
        replacing.lock();
        try {
            List<FunctionProcess> all;
            synchronized (running) {
                all = new ArrayList<>(running.values());
                running.clear();
            }
            all.parallelStream().forEach(FunctionProcess::close);
        } finally {
            replacing.unlock();
        }
    }

    /** Exponential backoff of one function's restarts, from the first delay again after a healthy period. */
    private static final class RestartBackoff {
        private int restarts;
        private int failedStarts;

        synchronized Duration afterCrash(Instant healthySince) {
            if (healthySince != null && Duration.between(healthySince, Instant.now()).compareTo(HEALTHY_PERIOD) >= 0) {
                restarts = 0;
            }
            failedStarts = 0;
            return nextDelay();
        }

        synchronized int failedStart() {
            return ++failedStarts;
        }

        synchronized Duration nextDelay() {
            Duration delay = FIRST_RESTART_DELAY.multipliedBy(1L << Math.min(restarts, 20));
            restarts++;
            return delay.compareTo(MAX_RESTART_DELAY) > 0 ? MAX_RESTART_DELAY : delay;
        }
    }
}
