package dev.snapflow.local.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the built artifacts the CLI starts live: the functions' jars ({@code functions/<name>/target/}) and the
 * Spark job ({@code spark-jobs/target/}). The root comes from {@code -Dsnapflow.root} (set by {@code bin/snapflow})
 * or else from this jar's place in {@code local/cli/target/}.
 */
record ProjectLayout(Path root) {
    static final String JOB_JAR = "spark-jobs-0.1.0-SNAPSHOT.jar";

    static ProjectLayout locate() {
        String configured = System.getProperty("snapflow.root");
        if (configured != null) {
            return new ProjectLayout(Path.of(configured).toAbsolutePath().normalize());
        }
        try {
            Path jar = Path.of(ProjectLayout.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // local/cli/target/snapflow-cli.jar (or local/cli/target/classes) -> the project root
            return new ProjectLayout(jar.getParent().getParent().getParent().getParent());
        } catch (URISyntaxException | RuntimeException e) {
            throw new CliException("cannot find the Snapflow project; run bin/snapflow from a checkout");
        }
    }

    Path functionsDir() {
        return root.resolve("functions");
    }

    Path jobJar() {
        return root.resolve("spark-jobs/target").resolve(JOB_JAR);
    }

    /** The example params the Spark job ships for the sample orders ({@code /params/examples/<action>.orders.json}). */
    String exampleParams(String action) {
        Path jar = jobJar();
        try (java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(jar)) {
            return Files.readString(zip.getPath("/params/examples/" + action + ".orders.json"));
        } catch (java.io.IOException e) {
            throw new CliException("cannot read the example params for " + action + " from " + jar + ": " + e.getMessage());
        }
    }

    /** The Spark job's class path as launch's local backend reads it: the job jar and its provided libraries. */
    String jobClasspath() {
        Path jar = root.resolve("spark-jobs/target").resolve(JOB_JAR);
        Path classpathFile = root.resolve("spark-jobs/target/spark-classpath.txt");
        if (!Files.isRegularFile(jar) || !Files.isRegularFile(classpathFile)) {
            throw new CliException("the Spark job is not built (" + jar + "); run ./mvnw -B install -DskipTests");
        }
        return jar + java.io.File.pathSeparator + "@" + classpathFile;
    }
}
