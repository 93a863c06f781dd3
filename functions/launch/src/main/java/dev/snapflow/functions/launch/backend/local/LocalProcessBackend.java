package dev.snapflow.functions.launch.backend.local;

import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobExitCodes;
import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.SparkJvmOptions;
import dev.snapflow.functions.launch.backend.CancelOutcome;
import dev.snapflow.functions.launch.backend.JobBackend;
import dev.snapflow.functions.launch.backend.JobLaunch;
import dev.snapflow.functions.launch.backend.JobRef;
import dev.snapflow.functions.launch.backend.JobStatusSink;
import dev.snapflow.functions.launch.backend.LaunchOutcome;
import dev.snapflow.functions.launch.backend.ObservedFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Runs each job as a child JVM on this machine, the way a driver pod would run it: same main class, same
 * arguments, the callback token in the environment only.
 *
 * <p>A job's directory under the work dir is created atomically before anything starts: whoever creates it
 * owns the job, so a redelivered message or a second launch instance on the same work dir starts nothing.
 * The directory keeps {@code job.log} (stdout and stderr), {@code job.properties} (tenant, entity, timeout and
 * deadline), {@code pid}, and {@code rejected} or {@code exit-code} once known.
 *
 * <p>Whoever watches a job holds an OS lock on its {@code owner.lock}; the OS drops it when that launch dies,
 * even by SIGKILL. A new instance adopts every started job without an {@code exit-code} whose lock it can take:
 * it enforces the recorded deadline and reports the end, as the instance that started it would have.
 */
public final class LocalProcessBackend implements JobBackend, AutoCloseable {
    public static final String BACKEND = "local";
    /** Marks a child's command line so a later launch instance can recognise its process by pid. */
    static final String JOB_ID_PROPERTY = "-Dsnapflow.job.id=";
    /** Exit code of a JVM started with -XX:+ExitOnOutOfMemoryError that ran out of heap. */
    static final int EXIT_OUT_OF_MEMORY = 3;
    /** 128 + SIGKILL: most often the kernel's OOM killer when nobody here killed it. */
    static final int EXIT_KILLED = 137;
    static final String EXIT_CODE_FILE = "exit-code";
    static final String CANCELLED_MARKER = "cancelled";
    static final String REJECTED_FILE = "rejected";
    static final String PID_FILE = "pid";
    static final String JOB_FILE = "job.properties";
    static final String OWNER_LOCK = "owner.lock";
    /** What {@code exit-code} says when the job was not our child: only its parent learns the code. */
    static final String UNKNOWN_EXIT_CODE = "unknown";
    static final String JOB_LOG = "job.log";
    private static final String JOB_DIR_GLOB = "sf-*";
    /**
     * The failure report of a job that ended, written before it is published and deleted once it is: one that
     * could not be published (broker down, launch stopping) is published by the next sweep or the next start.
     */
    static final String PENDING_REPORT = "report-pending";
    /** A pending report still unpublished after this long is given up (logged); a reconciler must take over. */
    static final Duration PENDING_REPORT_MAX_AGE = Duration.ofDays(1);
    static final String PENDING_REPORT_GIVEN_UP = "report-given-up";
    /** How often pending reports are retried and old cancel tombstones removed. */
    static final Duration SWEEP_INTERVAL = Duration.ofSeconds(30);
    private static final int LOG_TAIL_BYTES = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(LocalProcessBackend.class);

    /** Spark's JVM options (one list, in the contracts), plus exit-on-OOM so that running out of heap ends the job with a known code. */
    static final List<String> SPARK_JVM_OPTIONS = Stream.concat(SparkJvmOptions.REQUIRED.stream(),
            Stream.of("-XX:+ExitOnOutOfMemoryError")).toList();

    /** The parent's environment a job may see; everything else (the HMAC key above all) stays out. */
    private static final List<String> INHERITED_ENVIRONMENT = List.of("PATH", "HOME", "USER", "LANG", "LC_ALL", "TZ");

    private final LocalBackendSettings settings;
    private final JobStatusSink statusSink;
    private final Slots slots;
    private final Map<JobId, RunningJob> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "local-job-timers");
        thread.setDaemon(true);
        return thread;
    });

    /** Publishes pending reports; apart from the timers, as a publish may block while the broker is away. */
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "local-job-report-sweep");
        thread.setDaemon(true);
        return thread;
    });
    private final CancelTombstones tombstones;

    public LocalProcessBackend(LocalBackendSettings settings, JobStatusSink statusSink) {
        this.settings = settings;
        this.statusSink = statusSink;
        this.slots = new Slots(settings.maxConcurrentJobs());
        this.tombstones = new CancelTombstones(settings.workDir());
        adoptOrphans();
        sweeper.scheduleWithFixedDelay(this::sweep, 0, SWEEP_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public LaunchOutcome launch(JobLaunch launch) {
        JobId jobId = launch.jobId();
        Path jobDir = settings.workDir().resolve(jobId.value());
        JobRef ref = new JobRef(jobId, BACKEND, jobDir.toString());
        if (tombstones.cancelled(launch.arguments().processId())) {
            return new LaunchOutcome.Cancelled("process " + launch.arguments().processId()
                    + " was cancelled before its job request arrived");
        }
        if (Files.isDirectory(jobDir)) {
            return earlierOutcome(launch, jobDir, ref);
        }
        if (!slots.tryAcquire()) {
            return atCapacity();
        }
        try {
            Files.createDirectories(settings.workDir());
            try {
                Files.createDirectory(jobDir);
            } catch (FileAlreadyExistsException lostTheRace) {
                slots.release();
                return earlierOutcome(launch, jobDir, ref);
            }
            Optional<OwnerLock> lock = OwnerLock.tryTake(jobDir);
            if (lock.isEmpty()) {
                // Between our mkdir and our lock, another instance took the claim for an abandoned one and is
                // completing it: that one starts the job.
                slots.release();
                return new LaunchOutcome.StartPending("another launch instance is starting the job");
            }
            return start(launch, jobDir, ref, lock.get());
        } catch (IOException e) {
            slots.release();
            throw new UncheckedIOException("cannot prepare job directory " + jobDir, e);
        }
    }

    private LaunchOutcome.AtCapacity atCapacity() {
        return new LaunchOutcome.AtCapacity("all " + settings.maxConcurrentJobs() + " local job slots are busy");
    }

    /**
     * Starts the job of a claimed job dir. The caller holds a slot and the dir's owner lock; both are released
     * here unless the job was started (then they are the running job's until it ends).
     */
    private LaunchOutcome start(JobLaunch launch, Path jobDir, JobRef ref, OwnerLock lock) throws IOException {
        JobId jobId = launch.jobId();
        boolean started = false;
        try {
            List<String> command;
            try {
                command = command(launch, jobDir);
            } catch (IOException | IllegalArgumentException e) {
                return reject(jobDir, "job class path unusable: " + e.getMessage());
            }
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(jobDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(jobDir.resolve(JOB_LOG).toFile()));
            environment(builder.environment(), launch, jobDir);
            Files.createDirectories(jobDir.resolve("tmp"));
            Instant deadline = Instant.now().plus(launch.profile().timeout());
            // Before the process: a job that runs always has what a later instance needs to adopt it.
            writeJobFile(jobDir, launch, deadline);
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                return reject(jobDir, "could not start " + settings.javaBinary() + ": " + e.getMessage());
            }
            Files.writeString(jobDir.resolve(PID_FILE), Long.toString(process.pid()));
            RunningJob job = new RunningJob(jobId, launch.arguments().tenant(), launch.arguments().entity(),
                    launch.profile().timeout().toMillis(), jobDir, process.toHandle(), process, lock);
            track(job, deadline);
            started = true;
            // A cancel that came while we were starting it may have looked before the job was tracked.
            if (tombstones.cancelled(launch.arguments().processId()) && job.end(Ending.CANCELLED)) {
                markCancelled(jobDir);
                killTree(job.process);
            }
            return new LaunchOutcome.Launched(ref);
        } finally {
            if (!started) {
                slots.release();
                lock.release();
            }
        }
    }

    @Override
    public CancelOutcome cancelProcess(String processId) {
        String prefix = jobIdPrefix(processId);
        // First, so that a job request of this process that comes later (other topic, other order) starts nothing.
        tombstones.record(processId);
        List<JobId> stopped = new ArrayList<>();
        for (RunningJob job : running.values()) {
            if (job.jobId.value().startsWith(prefix) && job.end(Ending.CANCELLED)) {
                markCancelled(job.jobDir);
                killTree(job.process);
                stopped.add(job.jobId);
            }
        }
        stopped.addAll(cancelOrphans(prefix));
        return new CancelOutcome(stopped);
    }

    /** The part every job id of the process starts with (JobId puts process, step, attempt in that order). */
    private static String jobIdPrefix(String processId) {
        String firstJob = JobId.of(processId, 1, 1).value();
        return firstJob.substring(0, firstJob.length() - "s1-a1".length());
    }

    /** Number of jobs this instance is running now. */
    public int runningJobs() {
        return running.size();
    }

    /**
     * Kills the jobs this instance watches (started or adopted): they belong to it, as pods belong to their Job.
     * Their failure reports (TRANSIENT, retryable) are left pending in their job dirs, not published now: the
     * broker may be stopping too, and a stop must not hang on it. The next start publishes them.
     */
    @Override
    public void close() {
        sweeper.shutdownNow();
        List<RunningJob> killed = new ArrayList<>();
        for (RunningJob job : running.values()) {
            if (job.end(Ending.SHUTDOWN)) {
                killTree(job.process);
                killed.add(job);
            }
        }
        for (RunningJob job : killed) {
            try {
                job.handled.get(settings.killGrace().toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                LOG.warn("job process {} did not exit after kill", job.process.pid());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        timers.shutdownNow();
    }

    /**
     * Takes over the jobs an earlier instance on this work dir started and no live instance watches (their owner
     * lock is free): a running one is watched like our own, with the deadline recorded at launch; one that ended
     * while no launch ran is reported now, once.
     */
    private void adoptOrphans() {
        if (!Files.isDirectory(settings.workDir())) {
            return;
        }
        try (DirectoryStream<Path> jobDirs = jobDirs()) {
            for (Path jobDir : jobDirs) {
                try {
                    adopt(jobDir);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("cannot adopt the job in {}", jobDir, e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot scan " + settings.workDir(), e);
        }
    }

    private void adopt(Path jobDir) throws IOException {
        if (!startedAndUnfinished(jobDir)) {
            return;
        }
        Optional<OwnerLock> taken = OwnerLock.tryTake(jobDir);
        if (taken.isEmpty()) {
            return; // a live instance watches it
        }
        OwnerLock lock = taken.get();
        Path jobFile = jobDir.resolve(JOB_FILE);
        // Checked again under the lock: its owner may have finished with it just before letting go.
        if (!startedAndUnfinished(jobDir) || !Files.isRegularFile(jobFile)) {
            if (Files.exists(jobDir.resolve(PID_FILE)) && !Files.exists(jobDir.resolve(EXIT_CODE_FILE))) {
                LOG.warn("job {} has no {} (started by an older launch): not adopted", jobDir.getFileName(), JOB_FILE);
            }
            lock.release();
            return;
        }
        JobId jobId = new JobId(jobDir.getFileName().toString());
        RunningJob job;
        Optional<ProcessHandle> process;
        Instant deadline;
        try {
            Properties recorded = readJobFile(jobDir);
            deadline = Instant.ofEpochMilli(Long.parseLong(recorded.getProperty("deadline")));
            process = jobProcess(jobDir, jobId);
            job = new RunningJob(jobId, recorded.getProperty("tenant"), recorded.getProperty("entity"),
                    Long.parseLong(recorded.getProperty("timeout-ms")), jobDir, process.orElse(null), null, lock);
        } catch (IOException | RuntimeException unreadable) {
            lock.release(); // held by nobody watching it, it would keep any later instance away
            throw unreadable;
        }
        slots.acquireEvenIfNone();
        if (process.isPresent()) {
            LOG.info("adopted job {} (pid {}) started by an earlier launch", jobId, process.get().pid());
            track(job, deadline);
        } else {
            LOG.info("job {} ended while no launch watched it", jobId);
            exited(job);
        }
    }

    private static boolean startedAndUnfinished(Path jobDir) {
        return Files.isRegularFile(jobDir.resolve(PID_FILE)) && !Files.exists(jobDir.resolve(EXIT_CODE_FILE))
                && !Files.exists(jobDir.resolve(REJECTED_FILE));
    }

    /** The job's process if it still runs: the pid alone could by now be another process's. */
    private static Optional<ProcessHandle> jobProcess(Path jobDir, JobId jobId) throws IOException {
        long pid = Long.parseLong(Files.readString(jobDir.resolve(PID_FILE)).strip());
        return ProcessHandle.of(pid)
                .filter(handle -> handle.info().commandLine()
                        .map(line -> line.contains(JOB_ID_PROPERTY + jobId.value()))
                        .orElse(false))
                .filter(ProcessHandle::isAlive);
    }

    private static void writeJobFile(Path jobDir, JobLaunch launch, Instant deadline) throws IOException {
        Properties job = new Properties();
        job.setProperty("tenant", launch.arguments().tenant());
        job.setProperty("entity", launch.arguments().entity());
        job.setProperty("timeout-ms", Long.toString(launch.profile().timeout().toMillis()));
        job.setProperty("deadline", Long.toString(deadline.toEpochMilli()));
        try (var writer = Files.newBufferedWriter(jobDir.resolve(JOB_FILE))) {
            job.store(writer, "what a later launch instance needs to adopt the job");
        }
    }

    private LaunchOutcome earlierOutcome(JobLaunch launch, Path jobDir, JobRef ref) {
        try {
            Optional<LaunchOutcome> known = settledOutcome(jobDir, ref);
            if (known.isPresent()) {
                return known.get();
            }
            // A claim without a pid: its owner is starting the job right now (it holds the lock for those few
            // milliseconds), or it died before recording the start and the OS dropped its lock.
            Optional<OwnerLock> lock = OwnerLock.tryTake(jobDir);
            if (lock.isEmpty()) {
                return new LaunchOutcome.StartPending("claimed by a live launch instance that is starting it now");
            }
            Optional<LaunchOutcome> settledMeanwhile = settledOutcome(jobDir, ref);
            if (settledMeanwhile.isPresent()) {
                lock.get().release();
                return settledMeanwhile.get();
            }
            return completeAbandonedClaim(launch, jobDir, ref, lock.get());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read job directory " + jobDir, e);
        }
    }

    /** What an earlier launch of the job came to, once it got as far as starting or refusing it. */
    private static Optional<LaunchOutcome> settledOutcome(Path jobDir, JobRef ref) throws IOException {
        Path rejected = jobDir.resolve(REJECTED_FILE);
        if (Files.exists(rejected)) {
            return Optional.of(new LaunchOutcome.Rejected(Files.readString(rejected)));
        }
        Path exitCode = jobDir.resolve(EXIT_CODE_FILE);
        if (Files.exists(exitCode)) {
            // Its end was reported (or kept pending and published by the sweep) when the exit code was written.
            return Optional.of(new LaunchOutcome.Ended(ref, "ended (exit code " + Files.readString(exitCode).strip() + ")"));
        }
        if (Files.exists(jobDir.resolve(PID_FILE))) {
            return Optional.of(new LaunchOutcome.AlreadyRunning(ref));
        }
        return Optional.empty();
    }

    /**
     * The truth about a job seen running, from its job dir and process (never starts anything): running while
     * watched here or its process lives, ended once its exit code is written, gone without a job dir.
     */
    @Override
    public LaunchOutcome probe(JobLaunch launch) {
        JobId jobId = launch.jobId();
        Path jobDir = settings.workDir().resolve(jobId.value());
        JobRef ref = new JobRef(jobId, BACKEND, jobDir.toString());
        if (!Files.isDirectory(jobDir)) {
            return new LaunchOutcome.Ended(ref, "is gone (no job directory in " + settings.workDir() + ")");
        }
        try {
            Optional<LaunchOutcome> settled = settledOutcome(jobDir, ref);
            if (settled.isPresent() && !(settled.get() instanceof LaunchOutcome.AlreadyRunning)) {
                return settled.get();
            }
            if (running.containsKey(jobId)
                    || Files.exists(jobDir.resolve(PID_FILE)) && jobProcess(jobDir, jobId).isPresent()) {
                return new LaunchOutcome.AlreadyRunning(ref);
            }
            return new LaunchOutcome.Ended(ref, "is not running and no launch watches it");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read job directory " + jobDir, e);
        }
    }

    /**
     * The launch that claimed the job died between claiming and recording its pid (we hold its owner lock now),
     * and this is the same request delivered again: finish what it began, as a redelivery resumes a suspended
     * Kubernetes Job. The job id is on the command line of its process, so a process it did start is found
     * and adopted, and only a job that never ran is started.
     */
    private LaunchOutcome completeAbandonedClaim(JobLaunch launch, Path jobDir, JobRef ref, OwnerLock lock)
            throws IOException {
        JobId jobId = launch.jobId();
        Optional<ProcessHandle> process = findJobProcess(jobId);
        if (process.isPresent()) {
            Files.writeString(jobDir.resolve(PID_FILE), Long.toString(process.get().pid()));
            LOG.info("job {} (pid {}) was started by a launch that died before recording it: adopted", jobId,
                    process.get().pid());
            slots.acquireEvenIfNone();
            track(new RunningJob(jobId, launch.arguments().tenant(), launch.arguments().entity(),
                    launch.profile().timeout().toMillis(), jobDir, process.get(), null, lock), recordedDeadline(jobDir));
            return new LaunchOutcome.AlreadyRunning(ref);
        }
        if (Files.exists(jobDir.resolve(JOB_LOG)) && Files.size(jobDir.resolve(JOB_LOG)) > 0) {
            // It ran (it wrote its log) and ended before anyone recorded it: report it as any job that ended
            // unwatched, not run it twice.
            LOG.info("job {} was started by a launch that died before recording it, and has ended", jobId);
            slots.acquireEvenIfNone();
            exited(new RunningJob(jobId, launch.arguments().tenant(), launch.arguments().entity(),
                    launch.profile().timeout().toMillis(), jobDir, null, null, lock));
            return new LaunchOutcome.AlreadyRunning(ref);
        }
        if (!slots.tryAcquire()) {
            lock.release();
            return atCapacity();
        }
        LOG.info("job {} was claimed by a launch that died before starting it: starting it now", jobId);
        return start(launch, jobDir, ref, lock);
    }

    /** The live process whose command line names the job, wherever it came from. */
    private static Optional<ProcessHandle> findJobProcess(JobId jobId) {
        String marker = JOB_ID_PROPERTY + jobId.value();
        try (Stream<ProcessHandle> processes = ProcessHandle.allProcesses()) {
            // The command line, not arguments(): Linux gives no arguments for a long command line (the class path).
            return processes.filter(handle -> handle.info().commandLine()
                            .map(line -> List.of(line.split(" ")).contains(marker))
                            .orElse(false))
                    .filter(ProcessHandle::isAlive)
                    .findFirst();
        }
    }

    /** The deadline written before the job's process was started. */
    private static Instant recordedDeadline(Path jobDir) throws IOException {
        return Instant.ofEpochMilli(Long.parseLong(readJobFile(jobDir).getProperty("deadline")));
    }

    private static Properties readJobFile(Path jobDir) throws IOException {
        Properties recorded = new Properties();
        try (var reader = Files.newBufferedReader(jobDir.resolve(JOB_FILE))) {
            recorded.load(reader);
        }
        return recorded;
    }

    private LaunchOutcome reject(Path jobDir, String reason) throws IOException {
        Files.writeString(jobDir.resolve(REJECTED_FILE), reason);
        return new LaunchOutcome.Rejected(reason);
    }

    private List<String> command(JobLaunch launch, Path jobDir) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(settings.javaBinary().toString());
        // One JVM does what the driver and the executors would do on a cluster: it gets their memory and task
        // slots together (no more slots than this machine has cores).
        command.add("-Xmx" + launch.profile().resources().localHeapMb() + "m");
        command.addAll(settings.jvmFlags());
        command.addAll(SPARK_JVM_OPTIONS);
        command.add(JOB_ID_PROPERTY + launch.jobId().value());
        command.add("-Djava.io.tmpdir=" + jobDir.resolve("tmp"));
        command.add("-Dspark.master=local[" + launch.profile().resources()
                .localTaskSlots(Runtime.getRuntime().availableProcessors()) + "]");
        command.add("-Dspark.local.dir=" + jobDir.resolve("tmp"));
        command.add("-Dspark.ui.enabled=false");
        command.add("-cp");
        command.add(resolveClasspath());
        command.add(launch.profile().mainClass());
        command.addAll(launch.profile().fixedArgs());
        command.addAll(launch.arguments().toArgs());
        return command;
    }

    private String resolveClasspath() throws IOException {
        List<String> entries = new ArrayList<>();
        for (String entry : settings.classpath().split(File.pathSeparator)) {
            if (entry.startsWith("@")) {
                Path file = Path.of(entry.substring(1));
                if (!Files.isRegularFile(file)) {
                    throw new IOException("class path file " + file + " does not exist (build spark-jobs first)");
                }
                String listed = Files.readString(file).strip();
                if (!listed.isEmpty()) {
                    entries.add(listed);
                }
            } else if (!entry.isBlank()) {
                entries.add(entry);
            }
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("class path '" + settings.classpath() + "' has no entries");
        }
        return String.join(File.pathSeparator, entries);
    }

    private void environment(Map<String, String> environment, JobLaunch launch, Path jobDir) {
        Map<String, String> parent = Map.copyOf(environment);
        environment.clear();
        for (String name : INHERITED_ENVIRONMENT) {
            if (parent.containsKey(name)) {
                environment.put(name, parent.get(name));
            }
        }
        environment.putAll(settings.environment());
        environment.put("SPARK_LOCAL_IP", "127.0.0.1");
        environment.put("SPARK_LOCAL_DIRS", jobDir.resolve("tmp").toString());
        environment.put(JobArguments.CALLBACK_TOKEN_ENV, launch.callbackToken());
        if (launch.traceparent() != null) {
            environment.put(JobArguments.TRACEPARENT_ENV, launch.traceparent());
        }
    }

    /** Watches a job until it ends: kills it at its deadline (at once if that has passed), reports its end. */
    private void track(RunningJob job, Instant deadline) {
        running.put(job.jobId, job);
        job.deadline = timers.schedule(() -> {
            if (job.end(Ending.TIMED_OUT)) {
                killTree(job.process);
            }
        }, Math.max(0, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS);
        job.exit.whenComplete((exited, error) -> exited(job));
    }

    /** The job dirs under the work dir (named by job id; the work dir holds other things too). */
    private DirectoryStream<Path> jobDirs() throws IOException {
        return Files.newDirectoryStream(settings.workDir(), JOB_DIR_GLOB);
    }

    private void exited(RunningJob job) {
        running.remove(job.jobId);
        if (job.deadline != null) {
            job.deadline.cancel(false);
        }
        // Only a child's exit code can be known; an adopted job's went to the launch that started it.
        Integer exitValue = job.child == null ? null : job.child.exitValue();
        try {
            verdict(job, exitValue).ifPresent(failure -> {
                // Kept until published: a report lost here would leave the attempt RUNNING for good.
                keepPending(job.jobDir, failure);
                if (job.ending.get() != Ending.SHUTDOWN) {
                    publishPending(job.jobDir, failure);
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("could not record the end of job {}", job.jobId, e);
        } finally {
            slots.release();
            // Written last: once it exists, everything about this job's end has been done or is pending.
            try {
                Files.writeString(job.jobDir.resolve(EXIT_CODE_FILE),
                        exitValue == null ? UNKNOWN_EXIT_CODE : exitValue.toString());
            } catch (IOException e) {
                LOG.warn("could not record the exit code of job {}", job.jobId, e);
            }
            job.lock.release();
            job.handled.complete(null);
        }
    }

    /** What launch must say about a job's end: nothing when the job could say it itself (it ran to its end). */
    private Optional<ObservedFailure> verdict(RunningJob job, Integer exitValue) {
        Ending ending = job.ending.get();
        boolean cancelled = ending == Ending.CANCELLED || Files.exists(job.jobDir.resolve(CANCELLED_MARKER));
        if (ending == Ending.TIMED_OUT) {
            return Optional.of(new ObservedFailure(job.jobId, job.tenant, job.entity, ErrorClass.DEADLINE_EXCEEDED,
                    "killed after the action's timeout of " + job.timeoutMillis + " ms" + logTail(job.jobDir)));
        }
        if (cancelled) {
            return Optional.empty();
        }
        if (ending == Ending.SHUTDOWN) {
            if (exitValue != null && exitValue == 0) {
                return Optional.empty(); // it finished (and reported) before the kill reached it
            }
            return Optional.of(new ObservedFailure(job.jobId, job.tenant, job.entity, ErrorClass.TRANSIENT,
                    "job process stopped with launch (exit code " + (exitValue == null ? UNKNOWN_EXIT_CODE : exitValue)
                            + "); another attempt can run it" + logTail(job.jobDir)));
        }
        if (exitValue == null) {
            return Optional.of(endedUnwatched(job));
        }
        if (exitValue == JobExitCodes.STOPPED) {
            return Optional.empty(); // callback told it the attempt is over: there is nothing left to report
        }
        if (exitValue != 0) {
            return Optional.of(crash(job, exitValue));
        }
        return Optional.empty();
    }

    private static void keepPending(Path jobDir, ObservedFailure failure) {
        Properties pending = new Properties();
        pending.setProperty("tenant", failure.tenant());
        pending.setProperty("entity", failure.entity());
        pending.setProperty("error-class", failure.errorClass().name());
        pending.setProperty("message", failure.message());
        try (var writer = Files.newBufferedWriter(jobDir.resolve(PENDING_REPORT))) {
            pending.store(writer, "the failure report of this job, until it is published");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the report of " + jobDir.getFileName(), e);
        }
    }

    /** Publishes a kept report and forgets it; one that cannot be published stays for the next sweep. */
    private boolean publishPending(Path jobDir, ObservedFailure failure) {
        try {
            statusSink.report(failure);
        } catch (RuntimeException e) {
            LOG.warn("could not publish the {} report of job {}: kept in {}, retried every {} s", failure.errorClass(),
                    failure.jobId(), jobDir.resolve(PENDING_REPORT), SWEEP_INTERVAL.toSeconds(), e);
            return false;
        }
        try {
            Files.deleteIfExists(jobDir.resolve(PENDING_REPORT));
        } catch (IOException e) {
            // Published again at the next sweep: the event id is the same, callback keeps the first.
            LOG.warn("could not remove the published report of job {}", failure.jobId(), e);
        }
        return true;
    }

    /**
     * Publishes the reports no one could publish (launch stopped, the broker was away) of jobs no live instance
     * watches, and drops old cancel tombstones. Runs at start and every {@link #SWEEP_INTERVAL}.
     */
    private void sweep() {
        try {
            if (!Files.isDirectory(settings.workDir())) {
                return;
            }
            try (DirectoryStream<Path> jobDirs = jobDirs()) {
                for (Path jobDir : jobDirs) {
                    if (Files.exists(jobDir.resolve(PENDING_REPORT))) {
                        publishOrphanedReport(jobDir);
                    }
                }
            }
            tombstones.prune(Instant.now());
        } catch (IOException | RuntimeException e) {
            LOG.warn("sweep of {} failed; next in {} s", settings.workDir(), SWEEP_INTERVAL.toSeconds(), e);
        }
    }

    private void publishOrphanedReport(Path jobDir) throws IOException {
        Optional<OwnerLock> lock = OwnerLock.tryTake(jobDir);
        if (lock.isEmpty()) {
            return; // its owner is ending it right now, and publishes it itself
        }
        try {
            Path file = jobDir.resolve(PENDING_REPORT);
            if (!Files.exists(file)) {
                return;
            }
            if (Files.getLastModifiedTime(file).toInstant().isBefore(Instant.now().minus(PENDING_REPORT_MAX_AGE))) {
                LOG.error("giving up the report of job {} unpublished for over {} h; it stays in {}",
                        jobDir.getFileName(), PENDING_REPORT_MAX_AGE.toHours(), jobDir.resolve(PENDING_REPORT_GIVEN_UP));
                Files.move(file, jobDir.resolve(PENDING_REPORT_GIVEN_UP), StandardCopyOption.REPLACE_EXISTING);
                return;
            }
            Properties pending = new Properties();
            try (var reader = Files.newBufferedReader(file)) {
                pending.load(reader);
            }
            ObservedFailure failure = new ObservedFailure(new JobId(jobDir.getFileName().toString()),
                    pending.getProperty("tenant"), pending.getProperty("entity"),
                    ErrorClass.valueOf(pending.getProperty("error-class")), pending.getProperty("message"));
            if (publishPending(jobDir, failure)) {
                LOG.info("published the {} report of job {} kept since it ended", failure.errorClass(), failure.jobId());
            }
        } finally {
            lock.get().release();
        }
    }

    /**
     * A job that ended while launch was restarting may have succeeded and said so, or crashed without a word:
     * without its exit code nobody here can tell. Reported retryable; if the job did report its end, the callback
     * keeps that first terminal report and ignores this one.
     */
    private ObservedFailure endedUnwatched(RunningJob job) {
        return new ObservedFailure(job.jobId, job.tenant, job.entity, ErrorClass.TRANSIENT,
                "job process ended while launch was restarting; exit code unknown" + logTail(job.jobDir));
    }

    private ObservedFailure crash(RunningJob job, int exitCode) {
        ErrorClass errorClass = exitCode == EXIT_OUT_OF_MEMORY || exitCode == EXIT_KILLED
                ? ErrorClass.RESOURCE_EXHAUSTED
                : ErrorClass.INTERNAL;
        String why = exitCode == EXIT_OUT_OF_MEMORY ? " (out of heap)" : exitCode == EXIT_KILLED ? " (killed, likely out of memory)" : "";
        return new ObservedFailure(job.jobId, job.tenant, job.entity, errorClass,
                "job process exited with code " + exitCode + why + logTail(job.jobDir));
    }

    private static String logTail(Path jobDir) {
        Path log = jobDir.resolve(JOB_LOG);
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, file.length() - LOG_TAIL_BYTES);
            byte[] tail = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(tail);
            String text = new String(tail, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "; the log is empty" : "; log tail:\n" + text;
        } catch (IOException e) {
            return "; no log: " + e.getMessage();
        }
    }

    /** Jobs of the process still running that another launch instance on this work dir watches or watched. */
    private List<JobId> cancelOrphans(String jobIdPrefix) {
        List<JobId> stopped = new ArrayList<>();
        if (!Files.isDirectory(settings.workDir())) {
            return stopped;
        }
        try (DirectoryStream<Path> jobDirs = Files.newDirectoryStream(settings.workDir(), jobIdPrefix + "*")) {
            for (Path jobDir : jobDirs) {
                JobId jobId = new JobId(jobDir.getFileName().toString());
                Path pidFile = jobDir.resolve(PID_FILE);
                if (running.containsKey(jobId) || !Files.isRegularFile(pidFile)) {
                    continue;
                }
                Optional<ProcessHandle> process = jobProcess(jobDir, jobId);
                if (process.isPresent()) {
                    markCancelled(jobDir);
                    killTree(process.get());
                    stopped.add(jobId);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot scan " + settings.workDir(), e);
        }
        return stopped;
    }

    /** Tells whichever instance watches the process that its end is no failure to report. */
    private static void markCancelled(Path jobDir) {
        try {
            Files.writeString(jobDir.resolve(CANCELLED_MARKER), "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark " + jobDir + " cancelled", e);
        }
    }

    private void killTree(ProcessHandle process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process);
        tree.forEach(ProcessHandle::destroy);
        try {
            timers.schedule(() -> tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly),
                    settings.killGrace().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException shuttingDown) {
            tree.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private enum Ending { CANCELLED, TIMED_OUT, SHUTDOWN }

    /** Job slots; adopted jobs take one even beyond the limit (it may have been lowered since they started). */
    private static final class Slots extends Semaphore {
        Slots(int permits) {
            super(permits);
        }

        void acquireEvenIfNone() {
            if (!tryAcquire()) {
                reducePermits(1);
            }
        }
    }

    /**
     * An OS lock on the job dir's {@code owner.lock}: held by the instance that watches the job, dropped by the OS
     * when that instance dies however it dies, so a free lock on a started job means nobody watches it.
     */
    private record OwnerLock(FileChannel channel) {
        static Optional<OwnerLock> tryTake(Path jobDir) throws IOException {
            FileChannel channel = FileChannel.open(jobDir.resolve(OWNER_LOCK), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            try {
                if (channel.tryLock() != null) {
                    return Optional.of(new OwnerLock(channel));
                }
            } catch (OverlappingFileLockException heldInThisJvm) {
                // another backend in this JVM watches it (tests run several)
            }
            channel.close();
            return Optional.empty();
        }

        void release() {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.warn("could not release {}", OWNER_LOCK, e);
            }
        }
    }

    private static final class RunningJob {
        final JobId jobId;
        final String tenant;
        final String entity;
        final long timeoutMillis;
        final Path jobDir;
        /** Null only for a job found already ended, which is never tracked. */
        final ProcessHandle process;
        /** The Process when we started it; null when adopted (not our child: no exit code). */
        final Process child;
        final CompletableFuture<?> exit;
        final OwnerLock lock;
        final AtomicReference<Ending> ending = new AtomicReference<>();
        /** Completed once its end has been handled (reported or kept, exit code written). */
        final CompletableFuture<Void> handled = new CompletableFuture<>();
        volatile ScheduledFuture<?> deadline;

        RunningJob(JobId jobId, String tenant, String entity, long timeoutMillis, Path jobDir, ProcessHandle process,
                   Process child, OwnerLock lock) {
            this.jobId = jobId;
            this.tenant = tenant;
            this.entity = entity;
            this.timeoutMillis = timeoutMillis;
            this.jobDir = jobDir;
            this.process = process;
            this.child = child;
            this.lock = lock;
            // A child's onExit comes from waitpid, so its exit value is set; a non-child's is polled.
            this.exit = child != null ? child.onExit() : process != null ? process.onExit()
                    : CompletableFuture.completedFuture(null);
        }

        /** True for the first reason the job ends for; later ones change nothing. */
        boolean end(Ending why) {
            return ending.compareAndSet(null, why);
        }
    }
}
