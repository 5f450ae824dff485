package dev.vigil.api.jobs;

/** Where a job is in its lifecycle. */
public enum JobState {
    /** Waiting: for quota, for room, or behind a reservation ({@code vigil why} says which). */
    PENDING,
    /** Within its tenant's quota, waiting for room. */
    ADMITTED,
    /** GPUs reserved for it; the backend is starting it. */
    PLACED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED,
    /** Evicted for a higher-priority job, or its node failed; requeued. */
    PREEMPTED;

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** Whether the job holds GPUs in this state. */
    public boolean holdsGpus() {
        return this == PLACED || this == RUNNING;
    }
}
