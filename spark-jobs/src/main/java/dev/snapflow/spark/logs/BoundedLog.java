package dev.snapflow.spark.logs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A driver's output kept in memory up to a bound: the first half of the bound as it came, then the most recent
 * bytes in a ring. When output was dropped in between, {@link #contents()} says so in one line where it was.
 * Both ends matter: the start names the run and its settings, the end holds the failure.
 */
public final class BoundedLog {
    private final int headLimit;
    private final byte[] tail;
    private final ByteArrayOutputStream head;
    private long tailWritten;
    private long version;

    /** @param maxBytes the most bytes {@link #contents()} keeps (besides the omission line), at least 2 */
    public BoundedLog(int maxBytes) {
        if (maxBytes < 2) {
            throw new IllegalArgumentException("maxBytes must be at least 2, was " + maxBytes);
        }
        this.headLimit = maxBytes / 2;
        this.tail = new byte[maxBytes - headLimit];
        this.head = new ByteArrayOutputStream(Math.min(headLimit, 64 * 1024));
    }

    public synchronized void append(byte[] bytes, int offset, int length) {
        if (length <= 0) {
            return;
        }
        version++;
        int toHead = Math.min(length, headLimit - head.size());
        if (toHead > 0) {
            head.write(bytes, offset, toHead);
            offset += toHead;
            length -= toHead;
        }
        for (int i = 0; i < length; i++) {
            tail[(int) (tailWritten++ % tail.length)] = bytes[offset + i];
        }
    }

    /** Grows with every append: a shipper uploads only when it moved. */
    public synchronized long version() {
        return version;
    }

    /** Everything kept, with {@code [snapflow: N bytes of output omitted here]} where output was dropped. */
    public synchronized byte[] contents() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.size() + (int) Math.min(tailWritten, tail.length) + 64);
        out.writeBytes(head.toByteArray());
        long omitted = tailWritten - tail.length;
        if (omitted > 0) {
            out.writeBytes(("\n[snapflow: " + omitted + " bytes of output omitted here]\n").getBytes(StandardCharsets.UTF_8));
            int start = (int) (tailWritten % tail.length);
            out.write(tail, start, tail.length - start);
            out.write(tail, 0, start);
        } else {
            out.write(tail, 0, (int) tailWritten);
        }
        return out.toByteArray();
    }
}
