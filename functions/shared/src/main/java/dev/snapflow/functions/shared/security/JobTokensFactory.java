package dev.snapflow.functions.shared.security;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Makes {@link JobTokens} from {@code snapflow.callback.hmac-key} (env SNAPFLOW_CALLBACK_HMAC_KEY). */
@Factory
public class JobTokensFactory {

    /** @param hmacKey shared by launch and callback, at least 32 characters */
    @Context
    @ConfigurationProperties("snapflow.callback")
    @Requires(property = "snapflow.callback.hmac-key")
    public record CallbackKeyConfiguration(
            @NotBlank(message = "snapflow.callback.hmac-key (env SNAPFLOW_CALLBACK_HMAC_KEY) must be set")
            @Size(min = 32, message = "snapflow.callback.hmac-key (env SNAPFLOW_CALLBACK_HMAC_KEY) must be at least 32 characters")
            String hmacKey) {
        @Override
        public String toString() {
            return SecretMasking.toString(this);
        }
    }

    @Singleton
    @Requires(beans = CallbackKeyConfiguration.class)
    public JobTokens jobTokens(CallbackKeyConfiguration config) {
        return JobTokens.fromSecret(config.hmacKey());
    }
}
