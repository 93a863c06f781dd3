package dev.snapflow.functions.validate;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * @param apiKeyPepper    server secret under which API keys are hashed (SNAPFLOW_API_KEY_PEPPER)
 * @param adminToken      bearer token of the admin endpoints (SNAPFLOW_ADMIN_TOKEN)
 * @param maxRequestBytes largest accepted request body; larger is 413 (SNAPFLOW_MAX_REQUEST_BYTES)
 */
// Eager, so a missing or invalid setting stops the function at startup with its message.
@Context
@ConfigurationProperties("snapflow.validate")
public record ValidateConfiguration(
        @NotBlank(message = "snapflow.validate.api-key-pepper (env SNAPFLOW_API_KEY_PEPPER) must be set")
        @Size(min = 16, message = "snapflow.validate.api-key-pepper (env SNAPFLOW_API_KEY_PEPPER) must be at least 16 characters")
        String apiKeyPepper,
        @NotBlank(message = "snapflow.validate.admin-token (env SNAPFLOW_ADMIN_TOKEN) must be set")
        @Size(min = 16, message = "snapflow.validate.admin-token (env SNAPFLOW_ADMIN_TOKEN) must be at least 16 characters")
        String adminToken,
        @Bindable(defaultValue = "65536") @Min(1024) @Max(10485760) int maxRequestBytes) {

    /** Secrets print as ****: this record may end up in a log line or an exception message. */
    @Override
    public String toString() {
        return dev.snapflow.functions.shared.security.SecretMasking.toString(this);
    }
}
