package dev.snapflow.local.stack;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;

/** Keeps a second stack (in this or another JVM) from using the same work dir, and so the same data, at once. */
final class WorkDirLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private WorkDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static WorkDirLock acquire(StackLayout layout) {
        try {
            FileChannel channel = FileChannel.open(layout.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new LocalStackStartException("local stack", "the work dir " + layout.workDir()
                        + " is in use by another local stack (it holds " + layout.lockFile() + ")");
            }
            return new WorkDirLock(channel, lock);
        } catch (IOException e) {
            throw new LocalStackStartException("local stack", "cannot lock the work dir " + layout.workDir() + ": " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // The lock goes with the channel; nothing else to undo.
        }
    }
}
