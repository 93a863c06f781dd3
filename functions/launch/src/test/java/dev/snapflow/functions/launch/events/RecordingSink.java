package dev.snapflow.functions.launch.events;

import com.sun.net.httpserver.HttpServer;
import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Stands in for the Knative broker (K_SINK), which cannot run here: records every CloudEvent POSTed to it, or
 * answers 503 while told to refuse.
 */
final class RecordingSink implements AutoCloseable {
    private final HttpServer server;
    private final List<CloudEvent> events = new CopyOnWriteArrayList<>();
    private volatile boolean refusing;

    RecordingSink() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.getFirst()));
            if (refusing) {
                exchange.sendResponseHeaders(503, -1);
            } else {
                events.add(HttpMessageFactory.createReader(headers, body).toEvent());
                exchange.sendResponseHeaders(202, -1);
            }
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    void refuse(boolean refuse) {
        this.refusing = refuse;
    }

    List<CloudEvent> events(Predicate<CloudEvent> filter) {
        return events.stream().filter(filter).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
