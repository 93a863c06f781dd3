package dev.snapflow.functions.validate.storage;

import java.util.List;
import java.util.Optional;

/** Reads the driver logs jobs ship to object storage (docs/storage-contract.md, "Job runs"). */
public interface JobLogStore {
    /**
     * Up to {@code limit} bytes of the object at {@code key} from {@code offset}; empty bytes at or past its end.
     *
     * @return empty when there is no such log (yet)
     */
    Optional<LogSlice> read(String key, long offset, int limit);

    /** The last {@code lines} whole lines (at most {@code maxBytes} read), or empty when there is no such log. */
    Optional<List<String>> tail(String key, int lines, int maxBytes);

    /**
     * @param bytes      the slice
     * @param offset     where it starts in the log
     * @param totalBytes the log's size now (it grows while the job runs)
     */
    record LogSlice(byte[] bytes, long offset, long totalBytes) {
        public long nextOffset() {
            return offset + bytes.length;
        }
    }
}
