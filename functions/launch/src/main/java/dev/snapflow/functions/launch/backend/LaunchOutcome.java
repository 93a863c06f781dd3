package dev.snapflow.functions.launch.backend;

import java.util.Objects;

/** What a launch attempt came to. */
public sealed interface LaunchOutcome {

    /** The job was started now. */
    record Launched(JobRef ref) implements LaunchOutcome {
        public Launched {
            Objects.requireNonNull(ref, "ref");
        }
    }

    /** A job with this id was started before (a redelivery, or another launch instance won): nothing started. */
    record AlreadyRunning(JobRef ref) implements LaunchOutcome {
        public AlreadyRunning {
            Objects.requireNonNull(ref, "ref");
        }
    }

    /**
     * Another launch claimed the job and has not recorded starting it: it is starting it right now, or it died in
     * between (a crash). Nothing was started; ask again later, until the job is found started or the backend gives
     * the claim up as abandoned (then {@link Rejected}). Answering {@link AlreadyRunning} here would end the request
     * for good while possibly no job exists.
     */
    record StartPending(String reason) implements LaunchOutcome {
        public StartPending {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The backend is full for now; the same message can be tried again later. Nothing was started. */
    record AtCapacity(String reason) implements LaunchOutcome {
        public AtCapacity {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * The job's process was cancelled before its request arrived (the cancel and the request travel on different
     * topics): nothing was started, and nothing needs reporting, since callback already knows it is cancelled.
     */
    record Cancelled(String reason) implements LaunchOutcome {
        public Cancelled {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * The job was started before and has ended, or is gone (its Job or job directory no longer there): whatever it
     * reported is with callback already. Asked again (a re-driven request: callback did not learn its end), launch
     * reports it lost, which the decider retries or fails. Nothing was started.
     */
    record Ended(JobRef ref, String what) implements LaunchOutcome {
        public Ended {
            Objects.requireNonNull(ref, "ref");
            Objects.requireNonNull(what, "what");
        }
    }

    /** The job cannot be started (bad image, missing class path, refused spec): retrying the same message won't help. */
    record Rejected(String reason) implements LaunchOutcome {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
