package dev.snapflow.knative;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where the files these tests read live in the repository. */
final class ProjectLayout {
    static final List<String> OVERLAYS = List.of("dev", "prod");
    static final List<String> FUNCTIONS = List.of("validate", "enqueue", "launch", "callback");

    private static final Path ROOT = findRoot();

    private ProjectLayout() {
    }

    static Path root() {
        return ROOT;
    }

    static Path knative() {
        return ROOT.resolve("knative");
    }

    static Path overlay(String name) {
        return knative().resolve("overlays").resolve(name);
    }

    static Path routingTable() {
        return knative().resolve("routing.yaml");
    }

    static Path deployGuide() {
        return ROOT.resolve("docs/deploy.md");
    }

    static Path prodSecretsExample() {
        return overlay("prod").resolve("secrets.example.yaml");
    }

    static Path functionResources(String function) {
        return ROOT.resolve("functions").resolve(function).resolve("src/main/resources");
    }

    /** The surefire configuration passes the build's root; from an IDE, walk up from the working directory. */
    private static Path findRoot() {
        String configured = System.getProperty("snapflow.root");
        if (configured != null && Files.isRegularFile(Path.of(configured, "knative/routing.yaml"))) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("knative/routing.yaml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the repository root (a directory with knative/routing.yaml) from "
                + Path.of("").toAbsolutePath() + " or -Dsnapflow.root=" + configured);
    }
}
