package dev.snapflow.local.controlplane;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The four functions of the control plane as separate JVMs on one machine, wired to one Kafka, S3 endpoint and
 * PostgreSQL database through the same environment variables their containers read. Functions start in
 * parallel; {@link #close()} stops every one that started. Meant to be reused by {@code snapflow up}.
 */
public final class ControlPlane implements AutoCloseable {
    public static final List<String> FUNCTIONS = List.of("validate", "enqueue", "launch", "callback");

    private final Settings settings;
    private final Map<String, FunctionProcess> running = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new HashMap<>();
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
        return List.copyOf(running.values());
    }

    public FunctionProcess function(String name) {
        FunctionProcess function = running.get(name);
        if (function == null) {
            throw new IllegalArgumentException(name + " is not running");
        }
        return function;
    }

    /** Starts (again) one function, e.g. after {@link FunctionProcess#kill()}, with optional overrides. */
    public FunctionProcess restart(String name, Map<String, String> overrides) {
        FunctionProcess old = running.remove(name);
        if (old != null) {
            old.close();
        }
        FunctionProcess function = launch(name, overrides);
        running.put(name, function);
        return function;
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

    @Override
    public void close() {
        List<FunctionProcess> all = new ArrayList<>(running.values());
        running.clear();
        all.parallelStream().forEach(FunctionProcess::close);
    }
}
