package dev.vigil.controller.slurm;

import dev.vigil.api.cluster.ExecutionNode;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.controller.config.BackendName;
import dev.vigil.slurm.NodeState;
import dev.vigil.slurm.Slurm;
import dev.vigil.slurm.SlurmJob;
import dev.vigil.slurm.SlurmNode;
import dev.vigil.slurm.conf.GresConf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A Slurm node as Vigil records it ({@link ExecutionNode}): whether Slurm takes work there, who
 * drained it and why, and the jobs on it that Vigil did not launch, with their GPUs in Vigil's
 * numbering.
 */
final class NodeViews {
    private static final Set<NodeState> OUT = Set.of(NodeState.DOWN, NodeState.ERROR, NodeState.FUTURE,
            NodeState.UNKNOWN);

    private NodeViews() {
    }

    /** @param cluster this Vigil cluster's id: Slurm jobs without its mark are foreign (another Vigil's too) */
    static ExecutionNode of(SlurmNode node, List<SlurmJob> jobs, NodeInventory inventory, String cluster) {
        boolean available = available(node);
        boolean byVigil = node.drain() && node.reason() != null && node.reason().startsWith(Slurm.REASON_PREFIX);
        String state = node.state().name().toLowerCase(Locale.ROOT) + node.flags().stream()
                .map(f -> "+" + f.toLowerCase(Locale.ROOT)).collect(Collectors.joining());
        List<ExecutionNode.ForeignJob> foreign = new ArrayList<>();
        for (SlurmJob job : jobs) {
            if (!job.state().holdsResources() || BatchJobs.ours(cluster, job.comment()) || !job.nodes().contains(node.name())) {
                continue;
            }
            List<Integer> slurmGpus = job.gpus().stream().filter(g -> g.node().equals(node.name()))
                    .flatMap(g -> g.indices().stream()).toList();
            foreign.add(new ExecutionNode.ForeignJob(String.valueOf(job.id()), job.name(), job.user(),
                    List.copyOf(vigilGpus(inventory, slurmGpus))));
        }
        return new ExecutionNode(BackendName.SLURM, state, available, byVigil, available ? null : node.reason(),
                available ? null : node.reasonBy(), available ? null : node.reasonAt(), foreign, false);
    }

    /** Whether Slurm starts jobs on the node: not drained, not down. */
    static boolean available(SlurmNode node) {
        return !node.drain() && !OUT.contains(node.state());
    }

    /** Slurm's GPU numbers on a node as Vigil's indices (Slurm counts in gres.conf's PCI bus order). */
    static Set<Integer> vigilGpus(NodeInventory inventory, List<Integer> slurmGpus) {
        List<Integer> order = inventory == null ? List.of() : GresConf.slurmOrder(inventory);
        Set<Integer> gpus = new TreeSet<>();
        for (int gpu : slurmGpus) {
            gpus.add(gpu < order.size() ? order.get(gpu) : gpu);
        }
        return gpus;
    }
}
