package dev.snapflow.local.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** A node's directory: its data directory and the ready marker local-stack waits for. */
record NodeHome(Path directory) {

    Path dataDirectory() {
        return directory.resolve(NodeProtocol.DATA_DIRECTORY_NAME);
    }

    Path createDataDirectory() {
        try {
            return Files.createDirectories(dataDirectory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + dataDirectory(), e);
        }
    }

    /** Written atomically: local-stack never sees a half-written marker. */
    void markReady(String description) {
        Path ready = directory.resolve(NodeProtocol.READY_FILE_NAME);
        Path partial = directory.resolve(NodeProtocol.READY_FILE_NAME + ".partial");
        try {
            Files.writeString(partial, description + System.lineSeparator(), StandardCharsets.UTF_8);
            Files.move(partial, ready, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write ready marker " + ready, e);
        }
    }
}
