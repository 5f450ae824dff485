package dev.vigil.controller.leader;

/** The leader's scheduler loop, as the leader service drives it. */
public interface JobScheduling {
    /** This member leads: rebuild the scheduler from the stored jobs and nodes, then schedule. */
    void startLeading();

    /** This member no longer leads: stop scheduling and forget the in-memory scheduler. */
    void stopLeading();

    /** Applies a submit or a cancel, on the loop. */
    Outcome apply(Mutation.JobMutation mutation);

    /**
     * A node's word that a backend job ended: a hint that changes nothing itself (what the backend
     * then finds comes back in a cycle, on the loop), so it is taken on the caller's thread.
     */
    Outcome hint(Mutation.BackendJobEnded ended);

    /** Why a job waits (a {@code WhyPending}), or a problem. */
    Outcome why(String job);
}
