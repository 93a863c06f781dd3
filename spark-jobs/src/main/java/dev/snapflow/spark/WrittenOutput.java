package dev.snapflow.spark;

import dev.snapflow.contracts.storage.Manifest;

import java.util.List;

/** What one attempt wrote for one output, ready to be named by a manifest. */
public record WrittenOutput(OutputLocation location, List<Manifest.DataFile> files, long rows, long bytes,
                            List<Manifest.Column> schema) {
    public WrittenOutput {
        files = List.copyOf(files);
        schema = List.copyOf(schema);
    }
}
