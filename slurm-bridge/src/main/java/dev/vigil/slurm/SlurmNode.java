package dev.vigil.slurm;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A node as Slurm reports it.
 *
 * @param name       the node name
 * @param state      the base state
 * @param flags      Slurm's state flags, upper case: {@code DRAIN}, {@code NOT_RESPONDING},
 *                   {@code COMPLETING}, {@code MAINTENANCE}, {@code REBOOT_REQUESTED}, ...
 * @param reason     why it is drained or down, as whoever did it wrote it; or null
 * @param reasonBy   who set the reason, or null
 * @param reasonAt   when the reason was set, or null
 * @param gpuType    the GRES type of its GPUs ({@code h100}), or null when untyped or none
 * @param gpus       GPUs configured
 * @param gpusInUse  indices of the GPUs jobs hold now, whoever submitted them
 * @param cpus       CPUs configured
 * @param cpusInUse  CPUs jobs hold now
 * @param partitions the partitions it is in
 */
public record SlurmNode(String name, NodeState state, Set<String> flags, String reason, String reasonBy,
                        Instant reasonAt, String gpuType, int gpus, List<Integer> gpusInUse, int cpus, int cpusInUse,
                        List<String> partitions) {
    public SlurmNode {
        flags = Set.copyOf(flags);
        gpusInUse = List.copyOf(gpusInUse);
        partitions = List.copyOf(partitions);
    }

    /** Whether it is marked to drain: no new jobs land (running ones may still finish). */
    public boolean drain() {
        return flags.contains("DRAIN");
    }

    /** Whether it is drained: marked to drain and nothing runs on it any more. */
    public boolean drained() {
        return drain() && (state == NodeState.IDLE || state == NodeState.DOWN) && !flags.contains("COMPLETING");
    }

    /** Whether its slurmd answers slurmctld. */
    public boolean responding() {
        return !flags.contains("NOT_RESPONDING");
    }
}
