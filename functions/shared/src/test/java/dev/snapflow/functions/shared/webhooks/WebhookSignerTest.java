package dev.snapflow.functions.shared.webhooks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookSignerTest {

    /** The example of the Standard Webhooks specification (its reference implementations use it as a test). */
    @Test
    void signatureMatchesTheStandardWebhooksReferenceExample() {
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        String body = "{\"test\": 2432232314}";
        assertThat(WebhookSigner.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void tamperedBodyOrTimestampDoesNotVerify() {
        String secret = WebhookSigner.newSecret();
        String signature = WebhookSigner.sign(secret, "msg_1", 100, "{}");
        assertThat(WebhookSigner.verify(secret, "msg_1", "100", "{}", signature)).isTrue();
        assertThat(WebhookSigner.verify(secret, "msg_1", "100", "{ }", signature)).isFalse();
        assertThat(WebhookSigner.verify(secret, "msg_1", "101", "{}", signature)).isFalse();
        assertThat(WebhookSigner.verify(WebhookSigner.newSecret(), "msg_1", "100", "{}", signature)).isFalse();
    }
}
