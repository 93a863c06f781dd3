package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobExitCodes;

/**
 * The process exit code agrees with the last status report, so a backend that only sees the exit code (the
 * callback could not be reached) still knows the outcome and whether a retry can help.
 */
public final class ExitCodes {
    /** SUCCEEDED (computed now or cached), or --help. */
    public static final int SUCCEEDED = 0;
    /** FAILED with a class a retry cannot fix (bad params or data, missing input, a bug). */
    public static final int FAILED = 1;
    /** The command line or environment is wrong; no report was possible or sent. (sysexits EX_USAGE) */
    public static final int USAGE = 64;
    /** FAILED with a retryable class (storage timeout, lost executor, ...). (sysexits EX_TEMPFAIL) */
    public static final int FAILED_RETRYABLE = 75;
    /** Callback said the attempt is over (cancelled, or superseded): Spark stopped, no terminal report sent. */
    public static final int STOPPED = JobExitCodes.STOPPED;

    private ExitCodes() {
    }

    public static int forFailure(ErrorClass errorClass) {
        return errorClass.retryable() ? FAILED_RETRYABLE : FAILED;
    }
}
