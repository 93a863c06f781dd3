package dev.snapflow.functions.callback.reconcile;

import java.util.Optional;

/**
 * Where the reconciler learns whether an attempt's output was committed: the output manifest, written last, is
 * the commit record (docs/storage-contract.md), so its presence means the attempt SUCCEEDED whatever became of
 * its report.
 */
public interface CommittedOutputs {

    /**
     * @param outputPrefix the attempt's output location, {@code s3://bucket/.../} (ends with '/')
     * @return the committed manifest's URI, or empty when none is there
     * @throws RuntimeException when storage cannot tell (unreachable, refused): nothing is decided then
     */
    Optional<String> committedManifest(String outputPrefix);
}
