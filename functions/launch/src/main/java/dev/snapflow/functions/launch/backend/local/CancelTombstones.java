package dev.snapflow.functions.launch.backend.local;

import dev.snapflow.contracts.jobs.JobId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The processes launch was told to cancel, one empty file per process under {@code <work dir>/cancelled-processes/}:
 * process.cancelled travels on the events topic and job.requested on the jobs topic, so a cancel can reach launch
 * before the request of a job it should have stopped. A request of a process found here starts nothing. The files
 * outlive launch restarts and are removed after {@link #RETENTION}, far longer than any redelivery of a request.
 */
final class CancelTombstones {
    static final String DIRECTORY = "cancelled-processes";
    static final Duration RETENTION = Duration.ofDays(7);
    private static final Logger LOG = LoggerFactory.getLogger(CancelTombstones.class);

    private final Path directory;

    CancelTombstones(Path workDir) {
        this.directory = workDir.resolve(DIRECTORY);
    }

    void record(String processId) {
        try {
            Files.createDirectories(directory);
            Files.writeString(file(processId), "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the cancel of process " + processId, e);
        }
    }

    boolean cancelled(String processId) {
        return Files.exists(file(processId));
    }

    /** Removes tombstones older than the retention. */
    void prune(Instant now) {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                if (Files.getLastModifiedTime(file).toInstant().isBefore(now.minus(RETENTION))) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot prune cancel tombstones in {}", directory, e);
        }
    }

    /** Named by the process id as a job id holds it: also checks that it is one (no path tricks). */
    private Path file(String processId) {
        String firstJob = JobId.of(processId, 1, 1).value();
        return directory.resolve(firstJob.substring(0, firstJob.length() - "-s1-a1".length()));
    }
}
