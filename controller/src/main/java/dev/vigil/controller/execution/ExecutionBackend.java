package dev.vigil.controller.execution;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Placement;
import dev.vigil.scheduler.Decision;
import dev.vigil.scheduler.placement.NodeConstraint;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Where jobs run: the port through which the scheduler loop carries out its decisions (bind) and
 * learns that a job runs (confirm) or ended. Called only on the leader's event loop, but for
 * {@link #ended}. Backends are named as {@link dev.vigil.controller.config.BackendName} lists them.
 */
public interface ExecutionBackend {
    String name();

    /**
     * Refuses a job this backend cannot run, before it is queued.
     *
     * @throws InvalidValueException naming the field, the value and what this backend takes
     */
    default void check(JobSpec spec) {
    }

    /**
     * What else a job asks of the nodes it runs on, that only this backend knows (a Kubernetes
     * pod's nodeSelector against the nodes' labels); null: nothing. Asked when the job is queued.
     */
    default NodeConstraint nodeConstraint(JobSpec spec) {
        return null;
    }

    /** Launches a job, or more replicas of a service, on the GPUs of the placements. */
    void start(Decision.Start start);

    /** Stops what runs on the placements; their GPUs are free for the scheduler at once. */
    void stop(Decision.Stop stop);

    /** Looks at what it launched and tells {@code listener} which jobs began running and which ended. */
    void poll(Instant now, Listener listener);

    /**
     * Takes over, for a new leader, the jobs that hold GPUs on this backend (restored by the
     * scheduler) and drops what the previous leader left behind for jobs that no longer do.
     */
    void adopt(List<JobRecord> holding, Instant now);

    /**
     * Gives the backend a way to ask for a cycle at once, when it has news before the next one
     * (a listing of Slurm's jobs came back); by default it has none to give.
     */
    default void wakeWith(Runnable wake) {
    }

    /**
     * A node said this backend's job ({@code backendJob}, as in {@code Allocation.backendJob()},
     * without the backend's prefix) ended there: a hint to look at it before the next poll. Nothing
     * may depend on it arriving; by default it is ignored. Unlike the rest, called on any thread
     * (a round of jobs ending together must not queue behind the loop's cycles).
     */
    default void ended(String backendJob) {
    }

    /** This member no longer leads: stop acting (a new leader {@link #adopt adopts} what runs). */
    default void stopLeading() {
    }

    /** The launches a held job is made of: a training gang's placements together, each replica of a service alone. */
    static List<List<Placement>> launches(JobRecord job) {
        return job.spec().kind() == JobKind.TRAINING ? List.of(job.placements())
                : job.placements().stream().map(List::of).toList();
    }

    /** What a backend tells the scheduler loop. */
    interface Listener {
        /** Every part of the job was confirmed started. */
        void running(String job, Instant at);

        /** The job ended on its own (or could not start); its GPUs are free. */
        void finished(String job, boolean succeeded, String reason, Instant at);

        /**
         * What the job ran on {@code nodes} was lost with a node (a Slurm job that ended NODE_FAIL):
         * a gang is requeued, a service's replicas there replaced.
         */
        void lost(String job, Collection<String> nodes, String reason, Instant at);

        /**
         * The backend runs a placement on other GPUs of the same node than the scheduler chose
         * (Slurm picks the GPU indices itself), or in another MIG instance of the same profile (the Kubernetes
         * device plugin picks it): the scheduler's record follows.
         *
         * @return false when the scheduler could not follow (it says why in no words: the backend logs it)
         */
        boolean rebind(String job, Placement actual);

        /**
         * Whether the scheduler still has the job queued or running: a job ended while queued
         * (cancelled) is never started, and what the backend keeps for it (pods others made,
         * claimed for it) must go.
         */
        default boolean unfinished(String job) {
            return true;
        }

        /**
         * Queues a job the backend found waiting for Vigil (pods others made with {@code schedulerName:
         * vigil}), checked as any submit is: tenant, priority class, whether a node could ever run it.
         *
         * @param actor who submits it, for the audit log
         * @return the job's id
         * @throws InvalidValueException naming the spec's field, its value and what is allowed
         */
        default String submit(JobSpec spec, String actor) {
            throw new UnsupportedOperationException("this scheduler loop takes no jobs from its backends");
        }
    }
}
