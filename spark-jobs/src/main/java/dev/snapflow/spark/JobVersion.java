package dev.snapflow.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of this job's code. It is part of every {@code OutputId} the job derives, so the control plane
 * must derive output prefixes with the same value (the action catalog carries it with the image).
 */
public final class JobVersion {
    private static final String CURRENT = load();

    private JobVersion() {
    }

    public static String current() {
        return CURRENT;
    }

    private static String load() {
        try (InputStream in = JobVersion.class.getResourceAsStream("/snapflow-job.properties")) {
            if (in == null) {
                throw new IllegalStateException("snapflow-job.properties is missing from the job jar");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("job.version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
