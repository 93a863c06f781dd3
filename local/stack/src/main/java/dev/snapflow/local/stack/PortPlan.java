package dev.snapflow.local.stack;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * The ports the components will listen on, decided before any starts: a fixed port must be free (else the start fails
 * naming port and component), and 0 becomes a free port.
 */
record PortPlan(int kafka, int s3, int postgres) {

    static PortPlan reserve(LocalStackOptions options) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int kafka = resolve("Kafka", options.kafkaPort(), held);
            int s3 = resolve("S3", options.s3Port(), held);
            int postgres = options.embeddedDatabase() ? resolve("PostgreSQL", options.postgresPort(), held) : 0;
            return new PortPlan(kafka, s3, postgres);
        } finally {
            // Held until all are chosen so the three free ports differ; the nodes bind them right after.
            held.forEach(PortPlan::closeQuietly);
        }
    }

    /** A port free right now, for a second try after the planned one was taken. */
    static int freePort(String component) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            return resolve(component, 0, held);
        } finally {
            held.forEach(PortPlan::closeQuietly);
        }
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a probe socket cannot lose anything
        }
    }

    private static int resolve(String component, int requested, List<ServerSocket> held) {
        try {
            ServerSocket socket = new ServerSocket();
            held.add(socket);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), requested), 1);
            return socket.getLocalPort();
        } catch (BindException e) {
            throw LocalStackStartException.portInUse(component, requested, "");
        } catch (IOException e) {
            throw new LocalStackStartException(component, "cannot check port " + requested + " for " + component + ": " + e, e);
        }
    }
}
