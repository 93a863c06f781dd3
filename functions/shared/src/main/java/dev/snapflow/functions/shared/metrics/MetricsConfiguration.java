package dev.snapflow.functions.shared.metrics;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;
import java.util.List;

/**
 * Settings of Snapflow's own meters ({@code snapflow.metrics}; docs/metrics.md).
 *
 * @param tenantLabels  the tenants that get their own {@code tenant} label value; every other tenant is counted as
 *                      {@code other}, so the number of series stays bounded however many tenants there are
 *                      (env SNAPFLOW_METRICS_TENANT_LABELS, comma-separated, at most {@value #MAX_TENANT_LABELS})
 * @param gauges        whether this function reads the store's gauges (queued and running steps, oldest ages,
 *                      dead letters, outbox backlog): one function is enough, and callback does it
 *                      (env SNAPFLOW_METRICS_GAUGES)
 * @param gaugeInterval how often the gauges are read from the database (env SNAPFLOW_METRICS_GAUGE_INTERVAL)
 */
// Eager, so an invalid setting stops the function at startup with its message.
@Context
@ConfigurationProperties("snapflow.metrics")
public record MetricsConfiguration(
        @Nullable List<String> tenantLabels,
        @Bindable(defaultValue = "false") boolean gauges,
        @Bindable(defaultValue = "15s") Duration gaugeInterval) {

    /** Each labelled tenant multiplies the series of the meters that carry the label. */
    public static final int MAX_TENANT_LABELS = 100;

    public MetricsConfiguration {
        tenantLabels = tenantLabels == null ? List.of()
                : tenantLabels.stream().map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
        if (tenantLabels.size() > MAX_TENANT_LABELS) {
            throw new IllegalArgumentException("snapflow.metrics.tenant-labels (env SNAPFLOW_METRICS_TENANT_LABELS) names "
                    + tenantLabels.size() + " tenants; at most " + MAX_TENANT_LABELS + " get a label of their own");
        }
        if (tenantLabels.contains(TenantLabels.OTHER)) {
            throw new IllegalArgumentException("snapflow.metrics.tenant-labels (env SNAPFLOW_METRICS_TENANT_LABELS) must not"
                    + " name '" + TenantLabels.OTHER + "': it is the label of every tenant not listed");
        }
        if (gaugeInterval == null || gaugeInterval.isNegative() || gaugeInterval.toMillis() < 1000) {
            throw new IllegalArgumentException("snapflow.metrics.gauge-interval (env SNAPFLOW_METRICS_GAUGE_INTERVAL) must be"
                    + " at least 1s");
        }
    }
}
