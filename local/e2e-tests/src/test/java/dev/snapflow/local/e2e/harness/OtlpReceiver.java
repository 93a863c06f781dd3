package dev.snapflow.local.e2e.harness;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny OpenTelemetry collector for tests: accepts OTLP/HTTP trace exports ({@code POST /v1/traces},
 * {@code application/x-protobuf}, what the functions' exporter sends with {@code OTEL_EXPORTER_OTLP_PROTOCOL=
 * http/protobuf}) and keeps every span. Reads only the fields the tests look at, straight from the protobuf wire
 * format of opentelemetry-proto's {@code ExportTraceServiceRequest}.
 */
public final class OtlpReceiver implements AutoCloseable {
    private final HttpServer server;
    private final List<CollectedSpan> spans = new CopyOnWriteArrayList<>();

    /**
     * One exported span.
     *
     * @param service      the resource's {@code service.name}
     * @param parentSpanId empty for a root span
     * @param kind         OTLP's SpanKind number: 1 internal, 2 server, 3 client, 4 producer, 5 consumer
     * @param attributes   string, int and bool attributes as text
     */
    public record CollectedSpan(String service, String traceId, String spanId, String parentSpanId, String name,
                                int kind, Map<String, String> attributes) {
        public String attribute(String key) {
            return attributes.get(key);
        }

        @Override
        public String toString() {
            return service + " " + name + " kind=" + kind + " trace=" + traceId + " span=" + spanId + " parent="
                    + parentSpanId + " " + attributes;
        }
    }

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    public static OtlpReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            OtlpReceiver receiver = new OtlpReceiver(server);
            server.createContext("/v1/traces", exchange -> {
                try (exchange) {
                    byte[] body = exchange.getRequestBody().readAllBytes();
                    int status = 200;
                    try {
                        receiver.read(body);
                    } catch (RuntimeException e) {
                        // the exporter logs the 400; this says why
                        e.printStackTrace();
                        status = 400;
                    }
                    exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                    exchange.sendResponseHeaders(status, -1);
                }
            });
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where exporters send: {@code OTEL_EXPORTER_OTLP_ENDPOINT}. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * The environment that makes a function export its spans here, at once (a short batch delay) so a test does
     * not wait for the default five seconds.
     */
    public Map<String, String> exporterEnvironment() {
        return Map.of("OTEL_TRACES_EXPORTER", "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                "OTEL_EXPORTER_OTLP_ENDPOINT", endpoint(), "OTEL_BSP_SCHEDULE_DELAY", "200");
    }

    public List<CollectedSpan> spans() {
        return List.copyOf(spans);
    }

    public List<CollectedSpan> trace(String traceId) {
        return spans.stream().filter(span -> span.traceId().equals(traceId)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // --- the protobuf wire format, just enough of it ---

    private void read(byte[] request) {
        Wire in = new Wire(ByteBuffer.wrap(request));
        while (in.more()) {
            int tag = in.tag();
            if (tag >>> 3 == 1) {
                readResourceSpans(in.message());
            } else {
                in.skip(tag);
            }
        }
    }

    private void readResourceSpans(Wire in) {
        String service = "";
        List<Wire> scopes = new java.util.ArrayList<>();
        while (in.more()) {
            int tag = in.tag();
            switch (tag >>> 3) {
                case 1 -> service = attributes(in.message(), 1).getOrDefault("service.name", "");
                case 2 -> scopes.add(in.message());
                default -> in.skip(tag);
            }
        }
        for (Wire scope : scopes) {
            while (scope.more()) {
                int tag = scope.tag();
                if (tag >>> 3 == 2) {
                    spans.add(readSpan(service, scope.message()));
                } else {
                    scope.skip(tag);
                }
            }
        }
    }

    private static CollectedSpan readSpan(String service, Wire in) {
        String traceId = "";
        String spanId = "";
        String parent = "";
        String name = "";
        int kind = 0;
        Map<String, String> attributes = new HashMap<>();
        while (in.more()) {
            int tag = in.tag();
            switch (tag >>> 3) {
                case 1 -> traceId = HexFormat.of().formatHex(in.bytes());
                case 2 -> spanId = HexFormat.of().formatHex(in.bytes());
                case 4 -> parent = HexFormat.of().formatHex(in.bytes());
                case 5 -> name = in.string();
                case 6 -> kind = (int) in.varint();
                case 9 -> attributes.putAll(keyValue(in.message()));
                default -> in.skip(tag);
            }
        }
        return new CollectedSpan(service, traceId, spanId, parent, name, kind, Map.copyOf(attributes));
    }

    /** The KeyValue messages of field {@code field} of a message. */
    private static Map<String, String> attributes(Wire in, int field) {
        Map<String, String> attributes = new HashMap<>();
        while (in.more()) {
            int tag = in.tag();
            if (tag >>> 3 == field) {
                attributes.putAll(keyValue(in.message()));
            } else {
                in.skip(tag);
            }
        }
        return attributes;
    }

    private static Map<String, String> keyValue(Wire in) {
        String key = null;
        String value = null;
        while (in.more()) {
            int tag = in.tag();
            switch (tag >>> 3) {
                case 1 -> key = in.string();
                case 2 -> value = anyValue(in.message());
                default -> in.skip(tag);
            }
        }
        return key == null || value == null ? Map.of() : Map.of(key, value);
    }

    private static String anyValue(Wire in) {
        String value = null;
        while (in.more()) {
            int tag = in.tag();
            switch (tag >>> 3) {
                case 1 -> value = in.string();
                case 2 -> value = Boolean.toString(in.varint() != 0);
                case 3 -> value = Long.toString(in.varint());
                default -> in.skip(tag);
            }
        }
        return value;
    }

    private static final class Wire {
        private final ByteBuffer buffer;

        Wire(ByteBuffer buffer) {
            this.buffer = buffer.order(ByteOrder.LITTLE_ENDIAN);
        }

        boolean more() {
            return buffer.hasRemaining();
        }

        int tag() {
            return (int) varint();
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = buffer.get();
                result |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new IllegalArgumentException("malformed varint");
        }

        byte[] bytes() {
            byte[] bytes = new byte[(int) varint()];
            buffer.get(bytes);
            return bytes;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        Wire message() {
            int length = (int) varint();
            ByteBuffer slice = buffer.slice(buffer.position(), length);
            buffer.position(buffer.position() + length);
            return new Wire(slice);
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> buffer.position(buffer.position() + 8);
                case 2 -> {
                    int length = (int) varint(); // read before the position is taken
                    buffer.position(buffer.position() + length);
                }
                case 5 -> buffer.position(buffer.position() + 4);
                default -> throw new IllegalArgumentException("unsupported wire type " + (tag & 7));
            }
        }
    }
}
