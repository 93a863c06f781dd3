package dev.snapflow.local.controlplane;

import com.sun.net.httpserver.HttpServer;

import java.net.InetSocketAddress;

/** Stands in for a function's jar in supervision tests: answers {@code /health} on {@code PORT} until killed. */
public final class FakeFunction {
    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(System.getenv("PORT"))), 0);
        server.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }
}
