package dev.vigil.slurm;

import java.util.Collection;
import java.util.Locale;

/**
 * A Slurm job's state, folded to what a scheduler acts on. Slurm's own word stays in
 * {@link SlurmJob#slurmState()} for people.
 */
public enum JobState {
    /** Waiting to start; also requeued and held jobs. */
    PENDING,
    /** Running (also while its nodes boot, CONFIGURING). */
    RUNNING,
    /** Stopped by an admin or by gang scheduling; it keeps its nodes and GPUs. */
    SUSPENDED,
    /** Ended, but processes are still being cleaned up on some nodes: its GPUs are not free yet. */
    COMPLETING,
    /** Exited 0. */
    COMPLETED,
    /** Exited non-zero, ran out of memory, could not boot its nodes, or missed its deadline. */
    FAILED,
    CANCELLED,
    /** Reached its time limit. */
    TIMEOUT,
    /** One of its nodes failed. */
    NODE_FAIL,
    /** Evicted for another job (and not requeued). */
    PREEMPTED,
    /** A state this bridge does not know; treated as holding its resources until it changes. */
    UNKNOWN;

    /** Whether the job will not run again. */
    public boolean finished() {
        return switch (this) {
            case COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, PREEMPTED -> true;
            default -> false;
        };
    }

    /** Whether the job holds nodes and GPUs in this state. */
    public boolean holdsResources() {
        return this == RUNNING || this == SUSPENDED || this == COMPLETING || this == UNKNOWN;
    }

    /**
     * Folds Slurm's state words: one base state (22.05 gives one word, 23.02 and later a list of
     * the base state and flags such as {@code COMPLETING}, {@code REQUEUED}).
     */
    static JobState of(Collection<String> words) {
        JobState state = UNKNOWN;
        for (String word : words) {
            JobState folded = fold(word.toUpperCase(Locale.ROOT));
            if (folded == COMPLETING) {
                return COMPLETING;   // a flag on top of the base state, and the one that matters
            }
            if (state == UNKNOWN) {
                state = folded;
            }
        }
        return state;
    }

    private static JobState fold(String word) {
        return switch (word) {
            case "PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD" -> PENDING;
            case "RUNNING", "CONFIGURING", "RESIZING", "SIGNALING", "POWER_UP_NODE" -> RUNNING;
            case "SUSPENDED", "STOPPED" -> SUSPENDED;
            case "COMPLETING", "STAGE_OUT" -> COMPLETING;
            case "COMPLETED", "COMPLETE" -> COMPLETED;
            case "FAILED", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "SPECIAL_EXIT" -> FAILED;
            case "CANCELLED", "REVOKED" -> CANCELLED;
            case "TIMEOUT" -> TIMEOUT;
            case "NODE_FAIL" -> NODE_FAIL;
            case "PREEMPTED" -> PREEMPTED;
            default -> UNKNOWN;
        };
    }
}
