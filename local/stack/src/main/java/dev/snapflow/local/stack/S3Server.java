package dev.snapflow.local.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import dev.snapflow.local.runtime.NodeProtocol;

/**
 * The stack's S3 API: S3Proxy on a filesystem blob store in a child JVM. Ready once the node created the bucket and
 * the endpoint answers HTTP (the AWS SDK is not needed to start the stack, only by its users).
 */
final class S3Server implements AutoCloseable {

    static final String COMPONENT = "S3";

    private final ChildNode node;
    private final S3Endpoint endpoint;

    private S3Server(ChildNode node, S3Endpoint endpoint) {
        this.node = node;
        this.endpoint = endpoint;
    }

    static S3Server start(LocalStackOptions options, StackLayout layout, int port, String classpath) {
        ChildNode node = ChildNode.launch(COMPONENT, NodeProtocol.S3_MAIN, "256m", layout.home(StackLayout.S3),
                layout.logFile(StackLayout.S3), port,
                List.of(NodeProtocol.ACCESS_KEY, options.s3AccessKey(),
                        NodeProtocol.SECRET_KEY, options.s3SecretKey(),
                        NodeProtocol.BUCKET, options.bucket()),
                classpath);
        S3Endpoint endpoint = new S3Endpoint(URI.create("http://127.0.0.1:" + port), options.s3Region(),
                options.s3AccessKey(), options.s3SecretKey(), options.bucket());
        try {
            node.awaitReady(options.startupTimeout());
            awaitHttpAnswer(endpoint.endpoint(), node);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        return new S3Server(node, endpoint);
    }

    /** Any HTTP answer (an anonymous request is refused with 403) shows the S3 API is being served. */
    private static void awaitHttpAnswer(URI endpoint, ChildNode node) {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10)).GET().build();
            client.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new LocalStackStartException(COMPONENT, "S3 at " + endpoint + " does not answer HTTP: " + e
                    + "; see " + node.logFile(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackStartException(COMPONENT, "interrupted while waiting for S3 at " + endpoint, e);
        }
    }

    S3Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        node.close();
    }
}
