package dev.snapflow.local.runtime;

import java.net.URI;
import java.util.Properties;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * S3Proxy serving the S3 API from a filesystem blob store: each bucket is a directory under {@code home/data}. Creates
 * the requested buckets before it marks itself ready.
 */
public final class S3Node {

    private static final Logger LOG = LoggerFactory.getLogger(S3Node.class);

    private S3Node() {
    }

    public static void main(String[] args) {
        try {
            NodeArguments arguments = NodeArguments.parse(args).allowOnly(
                    NodeProtocol.PARENT_PID, NodeProtocol.HOME, NodeProtocol.PORT,
                    NodeProtocol.ACCESS_KEY, NodeProtocol.SECRET_KEY, NodeProtocol.BUCKET);
            ParentWatchdog.watch(arguments.parentPid(), "S3");
            NodeHome home = new NodeHome(arguments.home());
            int port = arguments.port();

            Properties properties = new Properties();
            properties.setProperty("jclouds.filesystem.basedir", home.createDataDirectory().toString());
            BlobStore blobStore = BlobStores.create("filesystem", properties);
            S3Proxy s3Proxy = S3Proxy.builder()
                    .blobStore(blobStore)
                    .endpoint(URI.create("http://127.0.0.1:" + port))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4,
                            arguments.required(NodeProtocol.ACCESS_KEY), arguments.required(NodeProtocol.SECRET_KEY))
                    .build();
            // Jetty's threads are non-daemon: without stop() the JVM would never exit on its own.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(s3Proxy), "s3proxy-shutdown"));
            s3Proxy.start();
            for (String bucket : arguments.all(NodeProtocol.BUCKET)) {
                if (!blobStore.containerExists(bucket)) {
                    blobStore.createContainer(bucket);
                    LOG.info("Created bucket {}", bucket);
                }
            }
            home.markReady("s3 http://127.0.0.1:" + port);
            LOG.info("S3 node ready on http://127.0.0.1:{} serving {}", port, home.dataDirectory());
        } catch (Exception e) {
            LOG.error("S3 node failed to start", e);
            System.exit(1);
        }
    }

    private static void stop(S3Proxy s3Proxy) {
        try {
            s3Proxy.stop();
            LOG.info("S3 node stopped");
        } catch (Exception e) {
            LOG.warn("S3 node did not stop cleanly", e);
        }
    }
}
