package dev.vigil.api.jobs;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a node is told to run for a job, in its desired state: which GPUs (by index and UUID) or
 * MIG GPU instances, and what to run there.
 *
 * @param job          the job's id
 * @param replica      the inference replica, or null for a training gang's share of the node
 * @param kind         training or inference: the shape of the load
 * @param gpus         GPU indices on the node
 * @param uuids        their UUIDs; an agent refuses an allocation whose UUIDs are not its GPUs
 * @param migInstances MIG GPU instance ids on the first GPU, for a slice (else empty)
 * @param command      what to run
 * @param image        a container image, or null
 * @param env          environment variables
 * @param version      the desired-state version that first carried it: the agent has started it once it
 *                     reports that version (or a later one) applied
 * @param backendJob   the execution backend's own id of what runs there ({@code slurm:1234}), or null when the
 *                     agent runs it (the simulated backend)
 */
public record Allocation(String job, Integer replica, JobKind kind, List<Integer> gpus, List<String> uuids,
                         List<Integer> migInstances, List<String> command, String image, Map<String, String> env,
                         long version, String backendJob) {
    public Allocation {
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
        uuids = uuids == null ? List.of() : List.copyOf(uuids);
        migInstances = migInstances == null ? List.of() : List.copyOf(migInstances);
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
    }

    /** The allocation of one placement of a job. */
    public static Allocation of(String job, JobSpec spec, Placement placement) {
        return new Allocation(job, placement.replica(), spec.kind(), placement.gpus(), placement.uuids(),
                placement.migInstances(), spec.command(), spec.image(), spec.env(), 0, null);
    }

    /** The same allocation, run by the backend as {@code id} ({@code slurm:1234}). */
    public Allocation runAs(String id) {
        return new Allocation(job, replica, kind, gpus, uuids, migInstances, command, image, env, version, id);
    }

    /** The same allocation, first carried by desired-state version {@code carriedBy}. */
    public Allocation carriedBy(long carriedBy) {
        return new Allocation(job, replica, kind, gpus, uuids, migInstances, command, image, env, carriedBy,
                backendJob);
    }

    /** Whether it holds the GPUs of {@code placement} for {@code job}. */
    public boolean holds(String job, Placement placement) {
        return this.job.equals(job) && Objects.equals(replica, placement.replica())
                && gpus.equals(placement.gpus()) && migInstances.equals(placement.migInstances());
    }
}
