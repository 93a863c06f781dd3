package dev.snapflow.functions.shared.security;

import dev.snapflow.contracts.jobs.JobId;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobTokensTest {
    private final JobTokens tokens = JobTokens.fromSecret("0123456789abcdef0123456789abcdef-test-key");
    private final JobId job = JobId.of(UUID.randomUUID().toString(), 1, 1);

    @Test
    void tokenMintedForAJobAttemptVerifiesForThatAttempt() {
        assertThat(tokens.verify(job, 1, tokens.mint(job, 1))).isTrue();
    }

    @Test
    void tokenOfAnotherAttemptIsRejected() {
        assertThat(tokens.verify(job, 2, tokens.mint(job, 1))).isFalse();
    }

    @Test
    void tokenOfAnotherJobIsRejected() {
        JobId other = JobId.of(UUID.randomUUID().toString(), 1, 1);
        assertThat(tokens.verify(other, 1, tokens.mint(job, 1))).isFalse();
    }

    @Test
    void tokenMintedUnderAnotherKeyIsRejected() {
        JobTokens forger = JobTokens.fromSecret("another-key-another-key-another-key-!!");
        assertThat(tokens.verify(job, 1, forger.mint(job, 1))).isFalse();
    }

    @Test
    void garbageAndMissingTokensAreRejected() {
        assertThat(tokens.verify(job, 1, null)).isFalse();
        assertThat(tokens.verify(job, 1, "")).isFalse();
        assertThat(tokens.verify(job, 1, "not base64 !!")).isFalse();
    }

    @Test
    void shortKeyIsRefusedWithTheEnvVarName() {
        assertThatThrownBy(() -> JobTokens.fromSecret("short"))
                .hasMessageContaining("SNAPFLOW_CALLBACK_HMAC_KEY");
    }
}
