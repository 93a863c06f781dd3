package dev.snapflow.functions.it;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PromQlTest {

    @Test
    void findsTheSeriesOfAHistogramQuantileButNotItsFunctionsLabelsOrDurations() {
        assertThat(PromQl.metricNames("""
                histogram_quantile(0.99, sum by (le, route) (rate(snapflow_submission_duration_seconds_bucket{outcome!="error", route=~"api|event"}[$__rate_interval])))"""))
                .containsExactly("snapflow_submission_duration_seconds_bucket");
    }

    @Test
    void findsEveryOperandOfBinaryAndSetOperatorsWithModifiers() {
        assertThat(PromQl.metricNames("""
                sum(snapflow_steps{state="running"}) > 0
                  unless on() sum(increase(snapflow_step_duration_seconds_count[1h] offset 5m)) > 0
                  or absent(snapflow_steps) and ignoring(state) group_left(le) up / 2e3 > bool 1.5"""))
                .containsExactly("snapflow_step_duration_seconds_count", "snapflow_steps", "up");
    }

    @Test
    void readsNamesGivenAsNameMatchersAndIgnoresStringsAndGrafanaVariables() {
        assertThat(PromQl.metricNames("""
                label_replace({__name__="snapflow_outbox_rows", state="by (x)"}, "to", "$1", "from", "(.*)") * on(state) ${factor} + $threshold"""))
                .containsExactly("snapflow_outbox_rows");
    }

    @Test
    void findsASubquerysInnerSeries() {
        assertThat(PromQl.metricNames("max_over_time(rate(snapflow_events_handled_total[5m])[1h:1m])"))
                .containsExactly("snapflow_events_handled_total");
    }
}
