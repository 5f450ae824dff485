package dev.vigil.api.cluster;

import java.time.Instant;
import java.util.List;

/**
 * A node as the execution backend that runs jobs on it sees it (today Slurm's node of the same
 * name): whether it takes work there and why not, and the work on it that Vigil did not launch.
 *
 * @param backend       the backend: {@code slurm}
 * @param state         its state there, in the backend's words ({@code idle}, {@code mixed+drain}, {@code down})
 * @param available     whether the backend would start work there (Slurm: not drained, not down)
 * @param byVigil       whether Vigil made it unavailable (a Slurm drain whose reason starts with {@code vigil: })
 * @param reason        why it is unavailable, in the words of whoever made it so; or null
 * @param reasonBy      who set that reason, or null
 * @param reasonAt      when, or null
 * @param foreignJobs   jobs on it that Vigil did not launch, with the GPUs they hold: nothing is placed on those
 * @param imposedCordon whether Vigil's cordon of the node came from this view (someone else's drain or
 *                      down in the backend): it is lifted when the backend takes work there again
 * @param unreachable   the backend lost the node (a Kubernetes node NotReady or Ready Unknown): Vigil shows it
 *                      {@code unknown}, as a node whose agent went silent, rather than cordoning it
 */
public record ExecutionNode(String backend, String state, boolean available, boolean byVigil, String reason,
                            String reasonBy, Instant reasonAt, List<ForeignJob> foreignJobs, boolean imposedCordon,
                            Boolean unreachable) {
    public ExecutionNode {
        foreignJobs = foreignJobs == null ? List.of() : List.copyOf(foreignJobs);
        // Absent in what a controller stored before the field came: a node the backend reaches.
        unreachable = unreachable != null && unreachable;
    }

    /** A view of a node the backend reaches. */
    public ExecutionNode(String backend, String state, boolean available, boolean byVigil, String reason,
                         String reasonBy, Instant reasonAt, List<ForeignJob> foreignJobs, boolean imposedCordon) {
        this(backend, state, available, byVigil, reason, reasonBy, reasonAt, foreignJobs, imposedCordon, false);
    }

    /** The same view, saying whether Vigil's cordon came from it. */
    public ExecutionNode imposing(boolean imposed) {
        return new ExecutionNode(backend, state, available, byVigil, reason, reasonBy, reasonAt, foreignJobs, imposed,
                unreachable);
    }

    /** "slurm says idle+drain, set by alice at 2026-11-22T10:00:00Z: fan failure". */
    public String describe() {
        return backend + " says " + state + (reasonBy == null ? "" : ", set by " + reasonBy)
                + (reasonAt == null ? "" : (reasonBy == null ? ", set" : "") + " at " + reasonAt)
                + (reason == null ? "" : ": " + reason);
    }

    /** The same view about the node, whoever's cordon is on it: what the backend said changed or not. */
    public boolean sameAs(ExecutionNode other) {
        return other != null && imposing(false).equals(other.imposing(false));
    }

    /**
     * A job on a node that Vigil did not launch (someone's {@code sbatch}).
     *
     * @param id   the backend's id of it (Slurm's job id)
     * @param name its name
     * @param user who runs it
     * @param gpus   the node's whole GPUs it holds, as Vigil numbers them
     * @param slices the MIG slices it holds (a pod asking for {@code nvidia.com/mig-<profile>}): nothing is placed on
     *               those, and their GPUs are not changed to another layout
     */
    public record ForeignJob(String id, String name, String user, List<Integer> gpus, List<Slice> slices) {
        public ForeignJob {
            gpus = List.copyOf(gpus);
            // Absent in what a controller stored before the field came: whole GPUs only.
            slices = slices == null ? List.of() : List.copyOf(slices);
        }

        /** A job holding whole GPUs only. */
        public ForeignJob(String id, String name, String user, List<Integer> gpus) {
            this(id, name, user, gpus, List.of());
        }

        /**
         * A MIG slice.
         *
         * @param gpu         the GPU's index
         * @param gpuInstance the MIG GPU instance id on it
         */
        public record Slice(int gpu, int gpuInstance) {
        }
    }
}
