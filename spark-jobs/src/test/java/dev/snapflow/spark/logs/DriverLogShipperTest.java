package dev.snapflow.spark.logs;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class DriverLogShipperTest {
    private final List<String> uploads = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    private static void append(BoundedLog log, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        log.append(bytes, 0, bytes.length);
    }

    @Test
    void shipsAtOnceThenWhileItGrowsAndALastTimeOnClose() {
        BoundedLog log = new BoundedLog(1024);
        append(log, "started\n");
        DriverLogShipper shipper = new DriverLogShipper(log, bytes -> uploads.add(new String(bytes, StandardCharsets.UTF_8)),
                Duration.ofMillis(50), new PrintStream(console), "s3://b/k");
        await().atMost(Duration.ofSeconds(5)).until(() -> uploads.contains("started\n"));
        append(log, "working\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> uploads.contains("started\nworking\n"));
        append(log, "failed\n");
        shipper.close();
        assertThat(uploads).last().isEqualTo("started\nworking\nfailed\n");
        int count = uploads.size();
        shipper.close(); // the shutdown hook after main's own close: nothing more
        assertThat(uploads).hasSize(count);
    }

    @Test
    void anUnchangedLogIsNotUploadedAgain() {
        BoundedLog log = new BoundedLog(1024);
        append(log, "once\n");
        DriverLogShipper shipper = new DriverLogShipper(log, bytes -> uploads.add(new String(bytes, StandardCharsets.UTF_8)),
                Duration.ofHours(1), new PrintStream(console), "s3://b/k");
        await().atMost(Duration.ofSeconds(5)).until(() -> uploads.size() == 1);
        shipper.shipIfGrown();
        shipper.close();
        assertThat(uploads).containsExactly("once\n");
    }

    @Test
    void aFailingUploadIsSaidOnceAndRetriedUntilItWorks() {
        BoundedLog log = new BoundedLog(1024);
        append(log, "line\n");
        boolean[] storageUp = {false};
        DriverLogShipper shipper = new DriverLogShipper(log, bytes -> {
            if (!storageUp[0]) {
                throw new IllegalStateException("connection refused");
            }
            uploads.add(new String(bytes, StandardCharsets.UTF_8));
        }, Duration.ofHours(1), new PrintStream(console, true), "s3://b/k");
        await().atMost(Duration.ofSeconds(5)).until(() -> console.size() > 0);
        shipper.shipIfGrown();
        storageUp[0] = true;
        shipper.close();
        assertThat(uploads).containsExactly("line\n");
        assertThat(console.toString(StandardCharsets.UTF_8)).containsOnlyOnce("cannot ship the driver log to s3://b/k")
                .contains("connection refused");
    }
}
