package dev.snapflow.contracts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads the example documents under {@code src/test/resources/examples/}. */
public final class TestResources {
    private TestResources() {
    }

    public static byte[] example(String path) {
        try (InputStream in = TestResources.class.getResourceAsStream("/examples/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no example " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
