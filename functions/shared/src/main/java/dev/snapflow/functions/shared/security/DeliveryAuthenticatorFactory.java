package dev.snapflow.functions.shared.security;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Clock;

/** The OIDC check of Knative deliveries, on the HTTP transport only (on Kafka there is no {@code POST /}). */
@Factory
public class DeliveryAuthenticatorFactory {

    @Singleton
    @Requires(beans = OidcDeliveryConfiguration.class)
    public DeliveryAuthenticator deliveryAuthenticator(OidcDeliveryConfiguration config) {
        return new OidcDeliveryAuthenticator(config, Clock.systemUTC());
    }
}
