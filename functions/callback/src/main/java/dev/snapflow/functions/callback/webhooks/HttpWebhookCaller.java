package dev.snapflow.functions.callback.webhooks;

import dev.snapflow.functions.callback.CallbackConfiguration;
import dev.snapflow.functions.shared.tracing.EventTracing;
import dev.snapflow.functions.shared.webhooks.WebhookAddressPolicy;
import dev.snapflow.functions.shared.webhooks.WebhookSigner;
import dev.snapflow.functions.shared.webhooks.WebhookUrlRefused;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Calls webhooks with Apache HttpClient 5, chosen for its {@link DnsResolver} hook: the JDK's HttpClient resolves
 * host names itself, with no way to pass it the addresses we checked, and connecting to an IP literal instead
 * would lose the host name for TLS (SNI and certificate check) and the Host header. Here the connection manager's
 * only resolver is the {@link WebhookAddressPolicy}: it resolves the host once, refuses the call if any address
 * is forbidden, and the client connects to exactly the addresses it returned, with the URL's host name kept for
 * Host, SNI and the certificate. No redirects (a 3xx is a failed call), no retries of its own, no proxy, no
 * connection reuse (each call resolves and checks afresh), a connect timeout, a total deadline that aborts the
 * call, and at most {@code webhookMaxResponseBytes} of the response read before the connection is cut.
 */
@Singleton
public class HttpWebhookCaller implements WebhookCaller, AutoCloseable {
    private static final int ERROR_BODY_CHARS = 200;

    private final WebhookAddressPolicy policy;
    private final Duration timeout;
    private final int maxResponseBytes;
    private final CloseableHttpClient client;
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "webhook-deadlines");
        thread.setDaemon(true);
        return thread;
    });

    public HttpWebhookCaller(WebhookAddressPolicy policy, CallbackConfiguration config) {
        this.policy = policy;
        this.timeout = config.webhookTimeout();
        this.maxResponseBytes = config.webhookMaxResponseBytes();
        Timeout total = Timeout.of(config.webhookTimeout());
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(new PolicyResolver(policy))
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(config.webhookConnectTimeout()))
                                .setSocketTimeout(total).build())
                        .setMaxConnTotal(config.webhookWorkers())
                        .setMaxConnPerRoute(config.webhookWorkers())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(total)
                        .setConnectionRequestTimeout(total).setRedirectsEnabled(false).build())
                .setConnectionReuseStrategy((request, response, context) -> false)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .setUserAgent("snapflow-callback")
                .build();
    }

    @Override
    public CallResult call(String url, String id, String payload, String secret) {
        WebhookAddressPolicy.Target target;
        try {
            target = policy.checkUrl(url);
        } catch (WebhookUrlRefused e) {
            return CallResult.failed(null, DeliveryError.REFUSED_BY_POLICY, e.getMessage());
        }
        HttpPost post = new HttpPost(target.uri());
        post.setEntity(new StringEntity(payload, ContentType.APPLICATION_JSON));
        for (Map.Entry<String, String> header : WebhookSigner.headers(secret, id, Instant.now().getEpochSecond(),
                payload).entrySet()) {
            post.setHeader(header.getKey(), header.getValue());
        }
        // the trace context of the call's span (WebhookTraces), so the receiver can continue the process's trace
        String traceparent = EventTracing.currentTraceparent();
        if (traceparent != null) {
            post.setHeader("traceparent", traceparent);
        }
        ScheduledFuture<?> deadline = deadlines.schedule(post::cancel, timeout.toMillis(), TimeUnit.MILLISECONDS);
        ClassicHttpResponse response = null;
        try {
            // No address on the target: the connection manager's PolicyResolver is the only way to one.
            response = client.executeOpen(new HttpHost(target.scheme(), target.host(), target.port()), post, null);
            int status = response.getCode();
            String start = readCapped(response.getEntity());
            if (status / 100 == 2) {
                return CallResult.delivered(status);
            }
            return CallResult.failed(status, DeliveryError.HTTP_STATUS, "HTTP " + status
                    + (start.isBlank() ? "" : ": " + start));
        } catch (IOException | RuntimeException e) {
            return failure(e, post.isCancelled());
        } finally {
            deadline.cancel(false);
            if (response instanceof CloseableHttpResponse closeable) {
                // IMMEDIATE: a graceful close would read the rest of the body to reuse the connection.
                closeable.close(CloseMode.IMMEDIATE);
            } else if (response != null) {
                try {
                    response.close();
                } catch (IOException ignored) {
                    // the call's outcome is known already
                }
            }
        }
    }

    /** Reads at most the cap; returns its first characters for an error message. */
    private String readCapped(HttpEntity entity) throws IOException {
        if (entity == null) {
            return "";
        }
        byte[] start = new byte[Math.min(ERROR_BODY_CHARS, maxResponseBytes)];
        int kept = 0;
        long read = 0;
        byte[] buffer = new byte[8192];
        // Not closed here: closing the stream would read on to the body's end; the caller cuts the connection.
        InputStream in = entity.getContent();
        int n;
        while (read < maxResponseBytes
                && (n = in.read(buffer, 0, (int) Math.min(buffer.length, maxResponseBytes - read))) > 0) {
            int keep = Math.min(n, start.length - kept);
            System.arraycopy(buffer, 0, start, kept, keep);
            kept += keep;
            read += n;
        }
        return new String(start, 0, kept, StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
    }

    private CallResult failure(Exception e, boolean cancelledByDeadline) {
        WebhookUrlRefused refused = refusalIn(e);
        if (refused != null) {
            return CallResult.failed(null, DeliveryError.REFUSED_BY_POLICY, refused.getMessage());
        }
        if (cancelledByDeadline) {
            return CallResult.failed(null, DeliveryError.TIMEOUT, "no complete answer within " + timeout.toMillis() + " ms");
        }
        String detail = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        DeliveryError error;
        if (e instanceof ConnectTimeoutException) {
            error = DeliveryError.CONNECT_TIMEOUT;
        } else if (e instanceof HttpHostConnectException) {
            error = DeliveryError.CONNECT_FAILED;
        } else if (e instanceof UnknownHostException) {
            error = DeliveryError.DNS_FAILURE;
        } else if (e instanceof SSLException) {
            error = DeliveryError.TLS_FAILURE;
        } else if (e instanceof SocketTimeoutException) {
            error = DeliveryError.TIMEOUT;
        } else {
            error = DeliveryError.IO_ERROR;
        }
        return CallResult.failed(null, error, detail);
    }

    private static WebhookUrlRefused refusalIn(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof WebhookUrlRefused refused) {
                return refused;
            }
        }
        return null;
    }

    @PreDestroy
    @Override
    public void close() {
        client.close(CloseMode.IMMEDIATE);
        deadlines.shutdownNow();
    }

    /** The client's only way from a host name to addresses: the policy's checked lookup. */
    private record PolicyResolver(WebhookAddressPolicy policy) implements DnsResolver {
        @Override
        public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
            return checked(host, port).stream().map(address -> new InetSocketAddress(address, port)).toList();
        }

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            return checked(host, -1).toArray(InetAddress[]::new);
        }

        @Override
        public String resolveCanonicalHostname(String host) {
            return host; // no reverse lookups: nothing here needs a canonical name
        }

        private List<InetAddress> checked(String host, int port) throws UnknownHostException {
            try {
                return policy.addressesFor(host, port);
            } catch (WebhookUrlRefused e) {
                // An IOException, so the client gives up on the connection at once; the refusal is its cause.
                UnknownHostException refused = new UnknownHostException(e.getMessage());
                refused.initCause(e);
                throw refused;
            }
        }
    }
}
