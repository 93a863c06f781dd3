package dev.snapflow.functions.shared.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the Prometheus registry exposes for Snapflow's timers with the {@link Latencies} filter. */
class MetricNamesTest {

    private static PrometheusMeterRegistry registry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new Latencies());
        return registry;
    }

    @Test
    void everyLatencyIsAHistogramInSecondsWithItsServiceLevelBuckets() {
        PrometheusMeterRegistry registry = registry();
        for (String timer : Latencies.names()) {
            registry.timer(timer, "outcome", "accepted").record(Duration.ofMillis(40));
        }
        String text = registry.scrape();
        for (String timer : Latencies.names()) {
            String name = timer.replace('.', '_') + "_seconds";
            assertThat(text).contains("# TYPE " + name + " histogram").contains(name + "_count{outcome=\"accepted\"} 1")
                    .contains(name + "_sum{outcome=\"accepted\"} 0.04").contains(name + "_max{outcome=\"accepted\"}")
                    .contains(name + "_bucket{outcome=\"accepted\",le=\"+Inf\"} 1");
        }
        assertThat(text).contains("snapflow_submission_duration_seconds_bucket{outcome=\"accepted\",le=\"0.025\"} 0")
                .contains("snapflow_submission_duration_seconds_bucket{outcome=\"accepted\",le=\"0.05\"} 1")
                .contains("snapflow_step_duration_seconds_bucket{outcome=\"accepted\",le=\"21600.0\"} 1")
                .contains("snapflow_step_queue_wait_seconds_bucket{outcome=\"accepted\",le=\"3600.0\"} 1");
    }

    @Test
    void theBucketsOfOneSeriesStayFewEnoughToKeepManyActionsAffordable() {
        PrometheusMeterRegistry registry = registry();
        for (String timer : Latencies.names()) {
            registry.timer(timer).record(Duration.ofSeconds(1));
        }
        String text = registry.scrape();
        for (String timer : Latencies.names()) {
            String bucket = timer.replace('.', '_') + "_seconds_bucket{";
            long buckets = text.lines().filter(l -> l.startsWith(bucket)).count();
            System.out.println(timer + ": " + buckets + " buckets per series");
            assertThat(buckets).as(timer).isBetween(8L, 75L);
        }
    }

    @Test
    void otherTimersKeepTheirDefaults() {
        PrometheusMeterRegistry registry = registry();
        registry.timer("http.server.requests").record(Duration.ofMillis(5));
        assertThat(registry.scrape()).doesNotContain("http_server_requests_seconds_bucket");
    }

    @Test
    void onlyListedTenantsGetALabelOfTheirOwn() {
        TenantLabels labels = new TenantLabels(new MetricsConfiguration(List.of(" acme ", "", "globex"), false,
                Duration.ofSeconds(15)));
        assertThat(labels.label("acme")).isEqualTo("acme");
        assertThat(labels.label("globex")).isEqualTo("globex");
        assertThat(labels.label("initech")).isEqualTo(TenantLabels.OTHER);
        assertThat(labels.label(null)).isEqualTo(TenantLabels.OTHER);
        assertThat(new TenantLabels(new MetricsConfiguration(null, false, Duration.ofSeconds(15))).label("acme"))
                .isEqualTo(TenantLabels.OTHER);
    }

    @Test
    void tooManyLabelledTenantsOrATooShortGaugeIntervalStopTheFunctionWithTheSettingsName() {
        List<String> many = java.util.stream.IntStream.rangeClosed(0, MetricsConfiguration.MAX_TENANT_LABELS)
                .mapToObj(i -> "t" + i).toList();
        assertThatThrownBy(() -> new MetricsConfiguration(many, false, Duration.ofSeconds(15)))
                .hasMessageContaining("SNAPFLOW_METRICS_TENANT_LABELS");
        assertThatThrownBy(() -> new MetricsConfiguration(List.of("other"), false, Duration.ofSeconds(15)))
                .hasMessageContaining("SNAPFLOW_METRICS_TENANT_LABELS");
        assertThatThrownBy(() -> new MetricsConfiguration(List.of(), true, Duration.ofMillis(10)))
                .hasMessageContaining("SNAPFLOW_METRICS_GAUGE_INTERVAL");
    }
}
