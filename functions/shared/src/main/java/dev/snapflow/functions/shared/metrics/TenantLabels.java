package dev.snapflow.functions.shared.metrics;

import jakarta.inject.Singleton;

import java.util.Set;

/**
 * The {@code tenant} label value of a tenant: its id when the operator listed it
 * ({@code SNAPFLOW_METRICS_TENANT_LABELS}), {@value #OTHER} for everyone else. Tenant ids are user input; a label
 * per tenant would grow the series without bound.
 */
@Singleton
public class TenantLabels {
    public static final String OTHER = "other";

    private final Set<String> labelled;

    public TenantLabels(MetricsConfiguration config) {
        this.labelled = Set.copyOf(config.tenantLabels());
    }

    public String label(String tenant) {
        return tenant != null && labelled.contains(tenant) ? tenant : OTHER;
    }
}
