package dev.snapflow.functions.shared.events;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the Knative publisher proves itself to the broker's ingress ({@code snapflow.events.sink-auth}). With
 * Knative Eventing's {@code authentication-oidc} on, a SinkBinding gets its own identity (the service account
 * {@code <binding>-oidc-sources.knative.dev-sinkbinding}), keeps a token for the broker's audience in a Secret and
 * mounts it into the subject's pods at {@code /oidc/token}, renewing it before it expires; with
 * {@code transport-encryption} on, the broker's address is https and the SinkBinding injects its CA as
 * {@code K_CA_CERTS}.
 *
 * @param tokenFile file whose content is sent as {@code Authorization: Bearer}, re-read on each publish (it is
 *                  renewed); empty means no token (env SNAPFLOW_SINK_TOKEN_FILE, /oidc/token on Knative)
 * @param caCerts   PEM CA certificates of the sink's TLS certificate; empty means the JVM's trust store (env K_CA_CERTS)
 */
// Eager, so a missing token file stops the function at startup with its message.
@Context
@ConfigurationProperties("snapflow.events.sink-auth")
@Requires(property = "snapflow.events.transport", value = "http")
public record SinkAuthConfiguration(@Nullable String tokenFile, @Nullable String caCerts) {

    public SinkAuthConfiguration {
        tokenFile = tokenFile == null || tokenFile.isBlank() ? null : tokenFile.strip();
        caCerts = caCerts == null || caCerts.isBlank() ? null : caCerts;
        if (tokenFile != null && !Files.isReadable(Path.of(tokenFile))) {
            throw new IllegalArgumentException("snapflow.events.sink-auth.token-file (env SNAPFLOW_SINK_TOKEN_FILE): "
                    + tokenFile + " is not a readable file; on Knative the SinkBinding mounts it when the "
                    + "authentication-oidc feature is enabled and the broker announces an audience");
        }
    }

    @Override
    public String toString() {
        return "SinkAuthConfiguration[tokenFile=" + tokenFile + ", caCerts="
                + (caCerts == null ? "(JVM trust store)" : caCerts.length() + " characters of PEM") + "]";
    }
}
