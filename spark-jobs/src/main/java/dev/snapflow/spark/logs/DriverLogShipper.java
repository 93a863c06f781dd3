package dev.snapflow.spark.logs;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Uploads the driver's {@link BoundedLog} as one object, rewritten whenever it grew: at once, then every period
 * while the job runs, and a last time on {@link #close()} (the job's end, or the JVM's shutdown hook). An upload
 * that fails is said once on the console and tried again at the next tick: a log never fails the job.
 */
public final class DriverLogShipper implements AutoCloseable {
    private final BoundedLog log;
    private final Consumer<byte[]> upload;
    private final PrintStream console;
    private final String destination;
    private final ScheduledExecutorService ticker;
    private long shippedVersion = -1;
    private boolean complained;
    private boolean closed;

    /**
     * @param upload      writes the whole object (replacing the previous one)
     * @param console     where a failed upload is said (the real stderr, never the tee)
     * @param destination named in that sentence
     */
    public DriverLogShipper(BoundedLog log, Consumer<byte[]> upload, Duration period, PrintStream console, String destination) {
        this.log = log;
        this.upload = upload;
        this.console = console;
        this.destination = destination;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "snapflow-driver-log");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::shipIfGrown, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Uploads now if anything was written since the last upload (also the first time, so the object exists early). */
    public synchronized void shipIfGrown() {
        long version = log.version();
        if (version == shippedVersion) {
            return;
        }
        try {
            upload.accept(log.contents());
            shippedVersion = version;
        } catch (RuntimeException e) {
            if (!complained) {
                complained = true;
                console.println("snapflow-job: cannot ship the driver log to " + destination + " (will retry): " + e.getMessage());
            }
        }
    }

    /** The last upload; called at the job's end and again by the shutdown hook, which then does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ticker.shutdownNow();
        shipIfGrown();
    }
}
