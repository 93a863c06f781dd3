package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.JobStatusReport;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts stages and tasks as Spark runs them and reports progress at most about once a second (Spark's
 * listener bus calls this for every task, far too often to report each). Totals are those known so far:
 * Spark plans a query's jobs one after another.
 */
public final class ProgressListener extends SparkListener implements AutoCloseable {
    private final AtomicInteger stagesDone = new AtomicInteger();
    private final AtomicInteger stagesTotal = new AtomicInteger();
    private final AtomicLong tasksDone = new AtomicLong();
    private final AtomicLong tasksTotal = new AtomicLong();
    private final AtomicLong changes = new AtomicLong();
    private final ScheduledExecutorService ticker;
    private long reportedChanges = -1;

    public ProgressListener(StatusReporter reporter, long periodMillis) {
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "snapflow-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(() -> {
            long now = changes.get();
            if (now != reportedChanges) {
                reportedChanges = now;
                reporter.running(snapshot());
            }
        }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onJobStart(SparkListenerJobStart jobStart) {
        var stages = scala.jdk.javaapi.CollectionConverters.asJava(jobStart.stageInfos());
        stagesTotal.addAndGet(stages.size());
        long tasks = 0;
        for (StageInfo stage : stages) {
            tasks += stage.numTasks();
        }
        tasksTotal.addAndGet(tasks);
        changes.incrementAndGet();
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted stageCompleted) {
        stagesDone.incrementAndGet();
        changes.incrementAndGet();
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        if (taskEnd.taskInfo() != null && taskEnd.taskInfo().successful()) {
            tasksDone.incrementAndGet();
            changes.incrementAndGet();
        }
    }

    public JobStatusReport.Progress snapshot() {
        int total = stagesTotal.get();
        long tasks = tasksTotal.get();
        return new JobStatusReport.Progress(Math.min(stagesDone.get(), total), total, Math.min(tasksDone.get(), tasks), tasks);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
