package dev.snapflow.bench;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the functions export their spans when a benchmark measures tracing's cost ({@code --tracing}): an
 * OTLP/HTTP endpoint in the benchmark JVM that takes every export ({@code POST /v1/traces}) and discards it, so
 * the functions pay what they would pay with a collector beside them (building, batching, serialising and sending
 * spans) and nothing more.
 */
final class TraceSink implements AutoCloseable {
    private final HttpServer server;
    private final AtomicLong exports = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    private TraceSink(HttpServer server) {
        this.server = server;
    }

    static TraceSink start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            TraceSink sink = new TraceSink(server);
            server.createContext("/v1/traces", exchange -> {
                try (exchange) {
                    sink.bytes.addAndGet(exchange.getRequestBody().readAllBytes().length);
                    sink.exports.incrementAndGet();
                    exchange.sendResponseHeaders(200, -1);
                }
            });
            server.setExecutor(Executors.newSingleThreadExecutor(r -> {
                Thread thread = new Thread(r, "trace-sink");
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            return sink;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The standard variables that make a function export here (OTLP over HTTP with protobuf). */
    Map<String, String> exporterEnvironment() {
        return Map.of("OTEL_TRACES_EXPORTER", "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    long exports() {
        return exports.get();
    }

    long bytes() {
        return bytes.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
