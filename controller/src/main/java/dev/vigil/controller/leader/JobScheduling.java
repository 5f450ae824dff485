package dev.vigil.controller.leader;

/** The leader's scheduler loop, as the leader service drives it. */
public interface JobScheduling {
    /** This member leads: rebuild the scheduler from the stored jobs and nodes, then schedule. */
    void startLeading();

    /** This member no longer leads: stop scheduling and forget the in-memory scheduler. */
    void stopLeading();

    /** Applies a submit or a cancel. */
    Outcome apply(Mutation.JobMutation mutation);

    /** Why a job waits (a {@code WhyPending}), or a problem. */
    Outcome why(String job);
}
