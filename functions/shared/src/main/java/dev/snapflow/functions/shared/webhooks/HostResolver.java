package dev.snapflow.functions.shared.webhooks;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Looks up the addresses of a host name (or parses an IP literal), once. */
@FunctionalInterface
public interface HostResolver {

    /** @return every address of {@code host}, never empty */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /**
     * The system's resolver (what {@link InetAddress#getAllByName} answers), bounded by {@code timeout}: the JDK
     * offers no lookup timeout of its own, and a hung DNS server must not hold a request or a delivery worker.
     */
    static HostResolver system(Duration timeout) {
        ExecutorService lookups = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "webhook-dns");
            thread.setDaemon(true);
            return thread;
        });
        return host -> {
            Future<InetAddress[]> lookup = lookups.submit(() -> InetAddress.getAllByName(host));
            try {
                return List.of(lookup.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownHostException unknown) {
                    throw unknown;
                }
                throw new UnknownHostException(host + ": " + e.getCause());
            } catch (TimeoutException e) {
                lookup.cancel(true);
                throw new UnknownHostException(host + " did not resolve within " + timeout.toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnknownHostException(host + ": interrupted while resolving");
            }
        };
    }
}
