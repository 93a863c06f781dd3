package dev.snapflow.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** PNG plots of the results (headless: java.awt.headless is set by the caller). */
public final class Charts {
    private Charts() {
    }

    public static void submissionLatency(List<SubmissionBenchmark.Step> steps, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(500).title("POST /v1/processes, open loop")
                .xAxisTitle("offered rate (requests/s)").yAxisTitle("latency (ms)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setYAxisLogarithmic(true);
        List<Double> rates = steps.stream().map(SubmissionBenchmark.Step::offeredPerSecond).toList();
        chart.addSeries("p50", rates, steps.stream().map(s -> positive(s.latency().p50Millis())).toList());
        chart.addSeries("p95", rates, steps.stream().map(s -> positive(s.latency().p95Millis())).toList());
        chart.addSeries("p99", rates, steps.stream().map(s -> positive(s.latency().p99Millis())).toList());
        chart.addSeries("max", rates, steps.stream().map(s -> positive(s.latency().maxMillis())).toList());
        BitmapEncoder.saveBitmap(chart, strip(png), BitmapEncoder.BitmapFormat.PNG);
    }

    public static void submissionThroughput(List<SubmissionBenchmark.Step> steps, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(500).title("POST /v1/processes: accepted vs offered")
                .xAxisTitle("offered rate (requests/s)").yAxisTitle("accepted (processes/s)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        List<Double> rates = steps.stream().map(SubmissionBenchmark.Step::offeredPerSecond).toList();
        chart.addSeries("accepted/s", rates, steps.stream().map(SubmissionBenchmark.Step::acceptedPerSecond).toList());
        chart.addSeries("offered", rates, rates);
        BitmapEncoder.saveBitmap(chart, strip(png), BitmapEncoder.BitmapFormat.PNG);
    }

    public static void coldStarts(List<ColdStartBenchmark.Summary> summaries, Path png) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(800).height(500)
                .title("Cold start: process start → first real request (median)")
                .xAxisTitle("function").yAxisTitle("ms").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        for (ColdStartBenchmark.Mode mode : ColdStartBenchmark.Mode.values()) {
            List<ColdStartBenchmark.Summary> mine = summaries.stream().filter(s -> s.mode() == mode).toList();
            if (!mine.isEmpty()) {
                chart.addSeries(mode.name().toLowerCase(), mine.stream().map(ColdStartBenchmark.Summary::function).toList(),
                        mine.stream().map(s -> zeroIfUnknown(s.firstRequestMillis())).toList());
            }
        }
        BitmapEncoder.saveBitmap(chart, strip(png), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * Rows/s of Spark (the job's own duration and the whole process) and DuckDB per action and input size, on a
     * logarithmic axis (the two differ by one to two orders of magnitude). XChart's bars start at zero, which a
     * logarithmic axis rejects, so the axis minimum is set to the power of ten below the smallest value.
     */
    public static void sparkVsDuckDb(List<SparkActionsBenchmark.Comparison> comparisons, Path png) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(500)
                .title("Spark job vs DuckDB on the same files: rows in per second")
                .xAxisTitle("action, input rows").yAxisTitle("rows/s (log)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        double smallest = comparisons.stream().flatMap(c -> java.util.stream.Stream.of(c.sparkRowsPerSecond(),
                c.sparkProcessRowsPerSecond(), c.duckRowsPerSecond())).filter(v -> v > 0).min(Double::compare).orElse(1.0);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(smallest))));
        List<String> categories = comparisons.stream().map(c -> c.action() + " " + rowsLabel(c.rows())).toList();
        double floor = chart.getStyler().getYAxisMin();
        chart.addSeries("Spark (job duration)", categories,
                comparisons.stream().map(c -> atLeast(c.sparkRowsPerSecond(), floor)).toList());
        chart.addSeries("Spark (whole process)", categories,
                comparisons.stream().map(c -> atLeast(c.sparkProcessRowsPerSecond(), floor)).toList());
        chart.addSeries("DuckDB", categories, comparisons.stream().map(c -> atLeast(c.duckRowsPerSecond(), floor)).toList());
        BitmapEncoder.saveBitmap(chart, strip(png), BitmapEncoder.BitmapFormat.PNG);
    }

    /** 1000000 → "1M", 10000 → "10k". */
    static String rowsLabel(long rows) {
        if (rows >= 1_000_000 && rows % 1_000_000 == 0) {
            return rows / 1_000_000 + "M";
        }
        if (rows >= 1_000 && rows % 1_000 == 0) {
            return rows / 1_000 + "k";
        }
        return Long.toString(rows);
    }

    /** An unknown or too small value drawn at the axis minimum (an empty bar). */
    private static double atLeast(double value, double floor) {
        return Double.isNaN(value) || value < floor ? floor : value;
    }

    private static double positive(double millis) {
        return Double.isNaN(millis) ? 0.001 : Math.max(0.001, millis);
    }

    private static double zeroIfUnknown(double value) {
        return Double.isNaN(value) ? 0 : value;
    }

    /** BitmapEncoder appends the extension itself. */
    private static String strip(Path png) {
        String name = png.toString();
        return name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
    }
}
