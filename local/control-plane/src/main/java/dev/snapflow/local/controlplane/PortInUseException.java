package dev.snapflow.local.controlplane;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** A fixed port a function should listen on is taken by another process. */
public final class PortInUseException extends IllegalStateException {
    private final String function;
    private final int port;

    public PortInUseException(String function, int port) {
        super(function + ": port " + port + " is already in use");
        this.function = function;
        this.port = port;
    }

    public String function() {
        return function;
    }

    public int port() {
        return port;
    }

    /** @throws PortInUseException when {@code port} cannot be bound on the loopback address */
    public static void checkFree(String function, int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
        } catch (IOException e) {
            throw new PortInUseException(function, port);
        }
    }
}
