package dev.snapflow.functions.launch.backend.local;

import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.functions.launch.backend.JobLaunch;
import dev.snapflow.functions.launch.backend.LaunchOutcome;
import dev.snapflow.functions.launch.backend.ObservedFailure;
import java.time.Instant;
import dev.snapflow.functions.launch.backend.TestJobs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LocalProcessBackendTest {
    private static final Duration LONG = Duration.ofMinutes(10);

    @TempDir
    Path workDir;

    private final List<ObservedFailure> reports = new CopyOnWriteArrayList<>();
    private final List<LocalProcessBackend> backends = new ArrayList<>();
    private final List<JobLaunch> startedByKilledLaunches = new ArrayList<>();

    @AfterEach
    void stopAllJobs() throws IOException {
        backends.forEach(LocalProcessBackend::close);
        // A job no backend adopted (a failed test) would outlive the test run.
        for (JobLaunch launch : startedByKilledLaunches) {
            jobProcess(launch).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private LocalProcessBackend backend(String classpath, int maxJobs) {
        LocalBackendSettings settings = new LocalBackendSettings(
                Path.of(System.getProperty("java.home"), "bin", "java"), classpath, workDir, maxJobs, List.of(),
                Map.of("SNAPFLOW_S3_ENDPOINT", "http://127.0.0.1:9000"), Duration.ofSeconds(2));
        LocalProcessBackend backend = new LocalProcessBackend(settings, reports::add);
        backends.add(backend);
        return backend;
    }

    private LocalProcessBackend backend() {
        return backend(System.getProperty("java.class.path"), 4);
    }

    private Path jobDir(JobLaunch launch) {
        return workDir.resolve(launch.jobId().value());
    }

    private void awaitEnd(JobLaunch launch) {
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(jobDir(launch).resolve("exit-code")));
    }

    private String log(JobLaunch launch) throws IOException {
        return Files.readString(jobDir(launch).resolve("job.log"));
    }

    private java.util.Optional<ProcessHandle> jobProcess(JobLaunch launch) throws IOException {
        Path pid = jobDir(launch).resolve(LocalProcessBackend.PID_FILE);
        if (!Files.exists(pid)) {
            return java.util.Optional.empty();
        }
        return ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).filter(ProcessHandle::isAlive)
                .filter(process -> process.info().commandLine().orElse("").contains(launch.jobId().value()));
    }

    /**
     * A launch in another JVM starts the job and is then killed with SIGKILL, as a crashed launch is: the job runs
     * on and nobody watches it.
     */
    private JobLaunch startedByALaunchThatWasKilled(String behaviour, Duration timeout) throws Exception {
        JobLaunch launch = TestJobs.scripted(behaviour, timeout);
        startedByKilledLaunches.add(launch);
        Process earlier = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), EarlierLaunch.class.getName(), workDir.toString(),
                launch.arguments().processId(), behaviour, Long.toString(timeout.toMillis()))
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("earlier-launch-" + launch.jobId().value() + ".log").toFile())
                .start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(jobDir(launch).resolve("job.log"))
                    && log(launch).contains("started"));
        } finally {
            earlier.destroyForcibly();
            earlier.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(jobProcess(launch)).as("the job outlives the launch that started it").isPresent();
        return launch;
    }

    @Test
    void startsTheJobMainWithItsArgumentsAndTheTokenOnlyInItsEnvironment() throws IOException {
        JobLaunch launch = TestJobs.scripted("print", LONG);

        LaunchOutcome outcome = backend().launch(launch);

        assertThat(outcome).isInstanceOf(LaunchOutcome.Launched.class);
        awaitEnd(launch);
        String log = log(launch);
        assertThat(log).contains("args=" + String.join(" ", launch.arguments().toArgs()) + "\n");
        assertThat(log).contains("token=" + launch.callbackToken() + "\n");
        assertThat(log.lines().filter(line -> line.startsWith("args=")).findFirst().orElseThrow())
                .doesNotContain(launch.callbackToken());
        assertThat(log).contains("hmac-key=null", "spark-local-ip=127.0.0.1", "s3-endpoint=http://127.0.0.1:9000",
                // TestJobs.SMALL: 2 executors of 1 core, so 2 task slots, as many as this machine has at most
                "spark-master=local[" + Math.min(2, Runtime.getRuntime().availableProcessors()) + "]");
        assertThat(Files.readString(jobDir(launch).resolve("exit-code"))).isEqualTo("0");
        assertThat(reports).isEmpty();
    }

    @Test
    void redeliveredJobMessageDoesNotStartASecondJob() throws IOException {
        JobLaunch launch = TestJobs.scripted("sleep", LONG);
        LocalProcessBackend first = backend();
        assertThat(first.launch(launch)).isInstanceOf(LaunchOutcome.Launched.class);

        LaunchOutcome redelivered = first.launch(launch);
        LaunchOutcome otherInstance = backend().launch(launch);

        assertThat(redelivered).isInstanceOf(LaunchOutcome.AlreadyRunning.class);
        assertThat(otherInstance).isInstanceOf(LaunchOutcome.AlreadyRunning.class);
        await().until(() -> log(launch).contains("started"));
        assertThat(first.cancelProcess(launch.arguments().processId()).stopped()).containsExactly(launch.jobId());
        awaitEnd(launch);
        assertThat(log(launch).lines().filter(line -> line.startsWith("started"))).hasSize(1);
    }

    @Test
    void cancelKillsTheWholeProcessTreeAndReportsNoFailure() throws IOException {
        JobLaunch launch = TestJobs.scripted("spawn-and-sleep", LONG);
        LocalProcessBackend backend = backend();
        backend.launch(launch);
        Path grandchildPid = jobDir(launch).resolve("grandchild.pid");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(grandchildPid)
                && !Files.readString(grandchildPid).isBlank());
        long grandchild = Long.parseLong(Files.readString(grandchildPid).strip());
        long child = Long.parseLong(Files.readString(jobDir(launch).resolve("pid")).strip());

        var outcome = backend.cancelProcess(launch.arguments().processId());

        assertThat(outcome.stopped()).containsExactly(launch.jobId());
        awaitEnd(launch);
        await().until(() -> ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false) == Boolean.FALSE);
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(reports).isEmpty();
        assertThat(backend.cancelProcess(launch.arguments().processId()).stopped()).isEmpty();
    }

    @Test
    void jobRunningPastItsTimeoutIsKilledAndReportedDeadlineExceeded() {
        JobLaunch launch = TestJobs.scripted("sleep", Duration.ofSeconds(1));

        backend().launch(launch);

        awaitEnd(launch);
        assertThat(reports).singleElement().satisfies(failure -> {
            assertThat(failure.partitionKey()).isEqualTo("acme/orders");
            JobStatusReport report = failure.toReport(Instant.EPOCH);
            assertThat(report.jobId()).isEqualTo(launch.jobId().value());
            assertThat(report.attempt()).isEqualTo(1);
            assertThat(report.state()).isEqualTo(JobState.FAILED);
            assertThat(report.error().errorClass()).isEqualTo(ErrorClass.DEADLINE_EXCEEDED);
            assertThat(report.error().message()).contains("timeout of 1000 ms");
            assertThat(report.reporter()).isEqualTo(JobStatusReport.REPORTER_KUBERNETES);
        });
    }

    @Test
    void jobThatCrashesBeforeReportingIsReportedFailedWithItsExitCodeAndLogTail() {
        JobLaunch launch = TestJobs.scripted("crash", LONG);

        backend().launch(launch);

        awaitEnd(launch);
        assertThat(reports).singleElement().satisfies(failure -> {
            assertThat(failure.toReport(Instant.EPOCH).state()).isEqualTo(JobState.FAILED);
            assertThat(failure.errorClass()).isEqualTo(ErrorClass.INTERNAL);
            assertThat(failure.message()).contains("exited with code 2", "boom: the input could not be read");
        });
    }

    @Test
    void jobThatStoppedBecauseCallbackSaidItsAttemptIsOverIsNotReportedAsACrash() throws IOException {
        JobLaunch launch = TestJobs.scripted("stop-as-told", LONG);

        backend().launch(launch);

        awaitEnd(launch);
        assertThat(Files.readString(jobDir(launch).resolve("exit-code")))
                .isEqualTo(Integer.toString(dev.snapflow.contracts.jobs.JobExitCodes.STOPPED));
        assertThat(reports).isEmpty();
    }

    @Test
    void jobsBeyondTheConcurrencyLimitAreNotStartedUntilASlotFrees() {
        LocalProcessBackend backend = backend(System.getProperty("java.class.path"), 1);
        JobLaunch running = TestJobs.scripted("sleep", LONG);
        JobLaunch waiting = TestJobs.scripted("print", LONG);
        assertThat(backend.launch(running)).isInstanceOf(LaunchOutcome.Launched.class);

        assertThat(backend.launch(waiting)).isInstanceOf(LaunchOutcome.AtCapacity.class);
        assertThat(jobDir(waiting)).doesNotExist();

        backend.cancelProcess(running.arguments().processId());
        awaitEnd(running);
        assertThat(backend.launch(waiting)).isInstanceOf(LaunchOutcome.Launched.class);
        awaitEnd(waiting);
    }

    @Test
    void missingClassPathFileRejectsTheJobAndARedeliveryGetsTheSameAnswer() {
        LocalProcessBackend backend = backend("@" + workDir.resolve("spark-classpath.txt"), 2);
        JobLaunch launch = TestJobs.scripted("print", LONG);

        LaunchOutcome first = backend.launch(launch);
        LaunchOutcome redelivered = backend.launch(launch);

        assertThat(first).isInstanceOfSatisfying(LaunchOutcome.Rejected.class,
                rejected -> assertThat(rejected.reason()).contains("spark-classpath.txt", "does not exist"));
        assertThat(redelivered).isEqualTo(first);
        assertThat(backend.runningJobs()).isZero();
    }

    @Test
    void claimOfALiveLaunchIsAskedForAgainLaterAndOnceThatLaunchDiesTheRedeliveryStartsTheJobOnce() throws Exception {
        JobLaunch launch = TestJobs.scripted("sleep", LONG);
        Process claiming = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), EarlierLaunch.class.getName(), workDir.toString(),
                launch.arguments().processId(), "claim-only", Long.toString(LONG.toMillis()))
                .redirectErrorStream(true).redirectOutput(workDir.resolve("claiming-launch.log").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(workDir.resolve("claiming-launch.log"))
                    && Files.readString(workDir.resolve("claiming-launch.log")).contains("claimed"));
            LocalProcessBackend restarted = backend();

            assertThat(restarted.launch(launch)).as("while the claiming launch lives")
                    .isInstanceOfSatisfying(LaunchOutcome.StartPending.class,
                            pending -> assertThat(pending.reason()).contains("live launch instance"));
            assertThat(jobDir(launch).resolve(LocalProcessBackend.PID_FILE)).doesNotExist();

            claiming.destroyForcibly();
            claiming.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(restarted.launch(launch)).as("the redelivery after it died").isInstanceOf(LaunchOutcome.Launched.class);
            assertThat(restarted.launch(launch)).isInstanceOf(LaunchOutcome.AlreadyRunning.class);
            await().until(() -> log(launch).contains("started"));
            assertThat(restarted.cancelProcess(launch.arguments().processId()).stopped()).containsExactly(launch.jobId());
            awaitEnd(launch);
            assertThat(log(launch).lines().filter(line -> line.startsWith("started"))).hasSize(1);
            assertThat(reports).isEmpty();
        } finally {
            claiming.destroyForcibly();
        }
    }

    @Test
    void claimWithoutPidWhoseLaunchIsGoneIsStartedByTheRedeliveryNotLeftWaiting() throws IOException {
        // What a launch killed between claiming and starting the job leaves: the OS dropped its owner lock.
        JobLaunch launch = TestJobs.scripted("print", LONG);
        Files.createDirectories(jobDir(launch));
        Files.writeString(jobDir(launch).resolve(LocalProcessBackend.OWNER_LOCK), "");

        assertThat(backend().launch(launch)).isInstanceOf(LaunchOutcome.Launched.class);

        awaitEnd(launch);
        assertThat(log(launch)).contains("token=" + launch.callbackToken());
        assertThat(Files.readString(jobDir(launch).resolve("exit-code"))).isEqualTo("0");
        assertThat(backend().launch(launch)).isInstanceOf(LaunchOutcome.Ended.class);
        assertThat(reports).isEmpty();
    }

    @Test
    void jobStartedByALaunchThatDiedBeforeRecordingItsPidIsAdoptedOnRedeliveryNotStartedTwice() throws Exception {
        JobLaunch launch = startedByALaunchThatWasKilled("sleep", LONG);
        ProcessHandle job = jobProcess(launch).orElseThrow();
        Files.delete(jobDir(launch).resolve(LocalProcessBackend.PID_FILE));
        LocalProcessBackend restarted = backend();
        assertThat(restarted.runningJobs()).as("nothing to adopt at start: no pid").isZero();

        assertThat(restarted.launch(launch)).isInstanceOf(LaunchOutcome.AlreadyRunning.class);

        assertThat(restarted.runningJobs()).isOne();
        assertThat(Files.readString(jobDir(launch).resolve(LocalProcessBackend.PID_FILE))).isEqualTo(Long.toString(job.pid()));
        assertThat(restarted.cancelProcess(launch.arguments().processId()).stopped()).containsExactly(launch.jobId());
        awaitEnd(launch);
        assertThat(log(launch).lines().filter(line -> line.startsWith("started"))).hasSize(1);
        assertThat(reports).isEmpty();
    }

    @Test
    void jobThatRanAndEndedBeforeItsPidWasRecordedIsReportedOnRedeliveryNotStartedAgain() throws Exception {
        JobLaunch launch = startedByALaunchThatWasKilled("sleep", LONG);
        ProcessHandle job = jobProcess(launch).orElseThrow();
        job.destroyForcibly();
        job.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        Files.delete(jobDir(launch).resolve(LocalProcessBackend.PID_FILE));

        assertThat(backend().launch(launch)).isInstanceOf(LaunchOutcome.AlreadyRunning.class);

        assertThat(log(launch).lines().filter(line -> line.startsWith("started"))).hasSize(1);
        assertThat(Files.readString(jobDir(launch).resolve("exit-code"))).isEqualTo("unknown");
        assertThat(reports).singleElement().satisfies(failure -> {
            assertThat(failure.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
            assertThat(failure.message()).contains("exit code unknown");
        });
    }

    @Test
    void jobsKilledWhenLaunchStopsAreReportedRetryableByTheNextStartExactlyOnce() throws IOException {
        JobLaunch launch = TestJobs.scripted("sleep", LONG);
        LocalProcessBackend stopping = backend();
        stopping.launch(launch);
        await().until(() -> log(launch).contains("started"));

        stopping.close();

        assertThat(Files.readString(jobDir(launch).resolve("exit-code"))).isEqualTo("143");
        assertThat(jobDir(launch).resolve(LocalProcessBackend.PENDING_REPORT)).exists();
        assertThat(reports).as("not published while launch stops").isEmpty();

        backend();

        await().atMost(Duration.ofSeconds(30)).until(() -> !reports.isEmpty());
        assertThat(reports).singleElement().satisfies(failure -> {
            assertThat(failure.jobId()).isEqualTo(launch.jobId());
            assertThat(failure.partitionKey()).isEqualTo("acme/orders");
            assertThat(failure.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
            assertThat(failure.errorClass().retryable()).isTrue();
            assertThat(failure.message()).contains("stopped with launch (exit code 143)");
        });
        await().until(() -> !Files.exists(jobDir(launch).resolve(LocalProcessBackend.PENDING_REPORT)));
        backend();
        assertThat(reports).hasSize(1);
    }

    @Test
    void failureReportThatCannotBePublishedIsKeptInTheJobDirAndPublishedLater() throws IOException {
        java.util.concurrent.atomic.AtomicBoolean brokerDown = new java.util.concurrent.atomic.AtomicBoolean(true);
        LocalBackendSettings settings = new LocalBackendSettings(Path.of(System.getProperty("java.home"), "bin", "java"),
                System.getProperty("java.class.path"), workDir, 2, List.of(), Map.of(), Duration.ofSeconds(2));
        LocalProcessBackend unlucky = new LocalProcessBackend(settings, failure -> {
            if (brokerDown.get()) {
                throw new IllegalStateException("broker unreachable");
            }
            reports.add(failure);
        });
        backends.add(unlucky);
        JobLaunch launch = TestJobs.scripted("crash", LONG);

        unlucky.launch(launch);

        awaitEnd(launch);
        assertThat(jobDir(launch).resolve(LocalProcessBackend.PENDING_REPORT)).exists();
        assertThat(reports).isEmpty();

        brokerDown.set(false);
        backend();

        await().atMost(Duration.ofSeconds(30)).until(() -> !reports.isEmpty());
        assertThat(reports).singleElement().satisfies(failure -> {
            assertThat(failure.errorClass()).isEqualTo(ErrorClass.INTERNAL);
            assertThat(failure.message()).contains("exited with code 2", "boom: the input could not be read");
        });
        await().until(() -> !Files.exists(jobDir(launch).resolve(LocalProcessBackend.PENDING_REPORT)));
    }

    @Test
    void jobRequestOfAProcessCancelledBeforeItArrivedStartsNothingAlsoAfterARestart() {
        JobLaunch launch = TestJobs.scripted("print", LONG);

        assertThat(backend().cancelProcess(launch.arguments().processId()).stopped()).isEmpty();

        assertThat(backend().launch(launch)).isInstanceOfSatisfying(LaunchOutcome.Cancelled.class,
                cancelled -> assertThat(cancelled.reason()).contains("cancelled before its job request arrived"));
        assertThat(jobDir(launch)).doesNotExist();
        JobLaunch otherProcess = TestJobs.scripted("print", LONG);
        assertThat(backend().launch(otherProcess)).isInstanceOf(LaunchOutcome.Launched.class);
        awaitEnd(otherProcess);
    }

    @Test
    void aJobAskedForAgainAfterItEndedIsEndedNotStartedAgainAndAProbeNeverStartsOne() throws IOException {
        JobLaunch launch = TestJobs.scripted("print", LONG);
        LocalProcessBackend backend = backend();
        assertThat(backend.launch(launch)).isInstanceOf(LaunchOutcome.Launched.class);
        awaitEnd(launch);

        assertThat(backend.launch(launch)).isInstanceOfSatisfying(LaunchOutcome.Ended.class,
                ended -> assertThat(ended.what()).isEqualTo("ended (exit code 0)"));
        assertThat(backend().probe(launch)).isInstanceOf(LaunchOutcome.Ended.class);
        JobLaunch neverStarted = TestJobs.scripted("print", LONG);
        assertThat(backend.probe(neverStarted)).isInstanceOfSatisfying(LaunchOutcome.Ended.class,
                ended -> assertThat(ended.what()).startsWith("is gone"));
        assertThat(jobDir(neverStarted)).doesNotExist();
        assertThat(log(launch).lines().filter(line -> line.startsWith("args="))).hasSize(1);
    }

    @Test
    void probeSaysRunningWhileTheJobRunsAlsoFromAnotherInstance() throws IOException {
        JobLaunch launch = TestJobs.scripted("sleep", LONG);
        LocalProcessBackend first = backend();
        first.launch(launch);
        await().until(() -> Files.exists(jobDir(launch).resolve("job.log")) && log(launch).contains("started"));

        assertThat(first.probe(launch)).isInstanceOf(LaunchOutcome.AlreadyRunning.class);
        assertThat(backend().probe(launch)).isInstanceOf(LaunchOutcome.AlreadyRunning.class);
        first.cancelProcess(launch.arguments().processId());
        awaitEnd(launch);
        assertThat(first.probe(launch)).isInstanceOf(LaunchOutcome.Ended.class);
    }

    @Test
    void classPathFileListsTheJobsDependencies() throws IOException {
        Path classpathFile = workDir.resolve("spark-classpath.txt");
        Files.writeString(classpathFile, System.getProperty("java.class.path") + "\n");
        JobLaunch launch = TestJobs.scripted("print", LONG);

        assertThat(backend("@" + classpathFile, 2).launch(launch)).isInstanceOf(LaunchOutcome.Launched.class);

        awaitEnd(launch);
        assertThat(log(launch)).contains("token=" + launch.callbackToken());
    }

    @Test
    void cancelAfterARestartStopsJobsAnEarlierInstanceStarted() {
        JobLaunch launch = TestJobs.scripted("sleep", LONG);
        LocalProcessBackend earlier = backend();
        earlier.launch(launch);
        await().until(() -> log(launch).contains("started"));

        var outcome = backend().cancelProcess(launch.arguments().processId());

        assertThat(outcome.stopped()).containsExactly(launch.jobId());
        awaitEnd(launch);
        assertThat(reports).isEmpty();
    }

    @Test
    void adoptedJobThatCrashesIsReportedRetryableWithUnknownExitCodeAndLogTail() throws Exception {
        JobLaunch launch = startedByALaunchThatWasKilled("crash-when-told", LONG);
        LocalProcessBackend restarted = backend();
        assertThat(restarted.runningJobs()).isOne();

        Files.writeString(jobDir(launch).resolve("crash-now"), "");

        awaitEnd(launch);
        assertThat(reports).singleElement().satisfies(failure -> {
            assertThat(failure.jobId()).isEqualTo(launch.jobId());
            assertThat(failure.partitionKey()).isEqualTo("acme/orders");
            assertThat(failure.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
            assertThat(failure.errorClass().retryable()).isTrue();
            assertThat(failure.message()).contains("ended while launch was restarting; exit code unknown",
                    "boom: the input could not be read");
        });
        assertThat(Files.readString(jobDir(launch).resolve("exit-code"))).isEqualTo("unknown");
        assertThat(restarted.runningJobs()).isZero();
    }

    @Test
    void adoptedJobPastItsDeadlineIsKilledAndReportedDeadlineExceeded() throws Exception {
        JobLaunch launch = startedByALaunchThatWasKilled("sleep", LONG);
        // Its deadline passes while no launch runs.
        Path jobFile = jobDir(launch).resolve(LocalProcessBackend.JOB_FILE);
        java.util.Properties recorded = new java.util.Properties();
        try (var reader = Files.newBufferedReader(jobFile)) {
            recorded.load(reader);
        }
        recorded.setProperty("deadline", Long.toString(Instant.now().minusSeconds(1).toEpochMilli()));
        try (var writer = Files.newBufferedWriter(jobFile)) {
            recorded.store(writer, null);
        }
        ProcessHandle job = jobProcess(launch).orElseThrow();

        backend();

        awaitEnd(launch);
        assertThat(job.isAlive()).isFalse();
        assertThat(reports).singleElement().satisfies(failure -> {
            assertThat(failure.errorClass()).isEqualTo(ErrorClass.DEADLINE_EXCEEDED);
            assertThat(failure.message()).contains("timeout of " + LONG.toMillis() + " ms");
        });
    }

    @Test
    void jobThatEndedWhileNoLaunchRanIsReportedExactlyOnce() throws Exception {
        JobLaunch launch = startedByALaunchThatWasKilled("sleep", LONG);
        ProcessHandle job = jobProcess(launch).orElseThrow();
        job.destroyForcibly();
        job.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);

        LocalProcessBackend restarted = backend();

        assertThat(restarted.runningJobs()).isZero();
        assertThat(Files.readString(jobDir(launch).resolve("exit-code"))).isEqualTo("unknown");
        assertThat(reports).singleElement().satisfies(failure -> {
            assertThat(failure.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
            assertThat(failure.message()).contains("exit code unknown", "started " + launch.jobId().value());
        });

        backend();
        assertThat(reports).hasSize(1);
    }

    @Test
    void adoptedJobTakesASlotAndOnceCancelledIsNotReported() throws Exception {
        JobLaunch launch = startedByALaunchThatWasKilled("sleep", LONG);
        LocalProcessBackend restarted = backend(System.getProperty("java.class.path"), 1);
        assertThat(restarted.launch(TestJobs.scripted("print", LONG))).isInstanceOf(LaunchOutcome.AtCapacity.class);

        assertThat(restarted.cancelProcess(launch.arguments().processId()).stopped()).containsExactly(launch.jobId());

        awaitEnd(launch);
        assertThat(jobProcess(launch)).isEmpty();
        assertThat(reports).isEmpty();
        JobLaunch next = TestJobs.scripted("print", LONG);
        assertThat(restarted.launch(next)).isInstanceOf(LaunchOutcome.Launched.class);
        awaitEnd(next);
    }
}
