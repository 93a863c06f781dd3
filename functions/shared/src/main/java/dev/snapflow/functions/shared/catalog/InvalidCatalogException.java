package dev.snapflow.functions.shared.catalog;

import java.util.List;

/** The action catalog file is broken; the message lists every problem with its location. */
public class InvalidCatalogException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public InvalidCatalogException(String source, List<String> problems) {
        super("invalid action catalog " + source + ":\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
