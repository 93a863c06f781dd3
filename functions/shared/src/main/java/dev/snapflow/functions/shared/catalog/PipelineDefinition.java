package dev.snapflow.functions.shared.catalog;

import java.util.List;

/** A named, ordered list of actions; step N+1 reads the output step N committed. */
public record PipelineDefinition(String name, String description, List<String> actions) {
    public PipelineDefinition {
        actions = List.copyOf(actions);
    }
}
