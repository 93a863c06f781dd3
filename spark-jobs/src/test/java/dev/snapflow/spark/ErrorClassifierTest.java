package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.ErrorClass;
import org.junit.jupiter.api.Test;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.SocketTimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorClassifierTest {

    @Test
    void storageTimeoutsAndLostExecutorsAreRetryable() {
        assertThat(ErrorClassifier.classify(new RuntimeException("Job aborted",
                new IOException("read failed", new SocketTimeoutException("Read timed out")))).errorClass())
                .isEqualTo(ErrorClass.TRANSIENT);
        assertThat(ErrorClassifier.classify(new IllegalStateException(
                "Job aborted due to stage failure: ExecutorLostFailure (executor 3 exited caused by one of the running tasks)")).errorClass())
                .isEqualTo(ErrorClass.TRANSIENT);
        assertThat(ErrorClass.TRANSIENT.retryable()).isTrue();
    }

    @Test
    void aFileTheManifestListsButStorageLacksIsMissingInput() {
        assertThat(ErrorClassifier.classify(new RuntimeException("task failed",
                new FileNotFoundException("No such file or directory: s3a://b/k.csv"))).errorClass())
                .isEqualTo(ErrorClass.MISSING_INPUT);
    }

    @Test
    void outOfMemoryIsResourceExhaustedAndUnknownBugsAreInternal() {
        assertThat(ErrorClassifier.classify(new OutOfMemoryError("Java heap space")).errorClass())
                .isEqualTo(ErrorClass.RESOURCE_EXHAUSTED);
        JobFailure bug = ErrorClassifier.classify(new NullPointerException("x"));
        assertThat(bug.errorClass()).isEqualTo(ErrorClass.INTERNAL);
        assertThat(bug.errorClass().retryable()).isFalse();
    }

    @Test
    void aJobFailureAnywhereInTheChainKeepsItsClass() {
        JobFailure quality = new JobFailure(ErrorClass.INVALID_DATA, "rules failed");
        assertThat(ErrorClassifier.classify(new RuntimeException("wrapped", quality))).isSameAs(quality);
    }
}
