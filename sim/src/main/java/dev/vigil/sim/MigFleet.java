package dev.vigil.sim;

import dev.vigil.api.jobs.Placement;
import dev.vigil.scheduler.mig.GpuState;
import dev.vigil.scheduler.mig.Layout;
import dev.vigil.scheduler.mig.Proposal;
import dev.vigil.scheduler.topology.NodeCapacity;
import dev.vigil.sim.cluster.SimCluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The simulated cluster's GPUs as demand-driven layouts see them: the layout each is in, what
 * holds it or its slices, and which are changing. A changing GPU has no slices and takes no work
 * until its change is done.
 */
final class MigFleet {
    /** One node: its capacity as the scheduler has it now, and per GPU its config, holders and change. */
    private static final class Node {
        NodeCapacity capacity;
        final String[] config;
        final boolean[] wholeHeld;
        final List<Set<Integer>> instancesHeld = new ArrayList<>();
        final boolean[] changing;

        Node(NodeCapacity capacity, String[] config) {
            this.capacity = capacity;
            this.config = config;
            int gpus = capacity.gpus().size();
            wholeHeld = new boolean[gpus];
            changing = new boolean[gpus];
            for (int i = 0; i < gpus; i++) {
                instancesHeld.add(new HashSet<>());
            }
        }
    }

    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, List<Layout>> layouts;
    private int changing;
    private int changed;

    MigFleet(SimCluster cluster) {
        this.layouts = cluster.migLayouts();
        for (NodeCapacity node : cluster.nodes()) {
            String[] config = new String[node.gpus().size()];
            for (NodeCapacity.Gpu gpu : node.gpus()) {
                config[gpu.index()] = cluster.migConfigOf(node.model(), gpu.mig());
            }
            nodes.put(node.name(), new Node(node, config));
        }
    }

    Map<String, List<Layout>> layouts() {
        return layouts;
    }

    void take(List<Placement> placements) {
        placements.forEach(p -> mark(p, true));
    }

    void release(List<Placement> placements) {
        placements.forEach(p -> mark(p, false));
    }

    private void mark(Placement placement, boolean held) {
        Node node = nodes.get(placement.node());
        if (placement.migInstances().isEmpty()) {
            placement.gpus().forEach(gpu -> node.wholeHeld[gpu] = held);
        } else if (held) {
            node.instancesHeld.get(placement.gpus().get(0)).addAll(placement.migInstances());
        } else {
            node.instancesHeld.get(placement.gpus().get(0)).removeAll(placement.migInstances());
        }
    }

    /** Every GPU as the advisor takes it. */
    List<GpuState> states() {
        List<GpuState> states = new ArrayList<>();
        for (Node node : nodes.values()) {
            for (NodeCapacity.Gpu gpu : node.capacity.gpus()) {
                int i = gpu.index();
                Set<Integer> held = node.instancesHeld.get(i);
                List<String> slices = gpu.mig().stream().map(NodeCapacity.MigSlice::profile).toList();
                List<String> free = gpu.mig().stream().filter(s -> !held.contains(s.gpuInstanceId()))
                        .map(NodeCapacity.MigSlice::profile).toList();
                states.add(new GpuState(node.capacity.name(), i, node.capacity.model(), node.config[i], slices,
                        !node.wholeHeld[i] && held.isEmpty(), gpu.usable() && !node.changing[i]
                        && node.capacity.schedulable(), free));
            }
        }
        return states;
    }

    /** GPUs changing now. */
    int changing() {
        return changing;
    }

    /** GPU layout changes begun so far. */
    int changed() {
        return changed;
    }

    /** Begins a proposal: its GPUs lose their slices and take no work; the node as the scheduler should see it. */
    NodeCapacity begin(Proposal proposal) {
        Node node = nodes.get(proposal.node());
        for (int gpu : proposal.gpus()) {
            node.changing[gpu] = true;
            node.config[gpu] = proposal.toConfig();
        }
        changing += proposal.gpus().size();
        changed += proposal.gpus().size();
        return reshape(node, proposal.gpus(), false, List.of());
    }

    /** Ends a proposal's change: its GPUs in the new layout, taking work again. */
    NodeCapacity end(Proposal proposal) {
        Node node = nodes.get(proposal.node());
        Layout layout = layouts.get(node.capacity.model()).stream()
                .filter(l -> l.config().equals(proposal.toConfig())).findFirst().orElseThrow();
        List<NodeCapacity.MigSlice> slices = new ArrayList<>();
        for (int s = 0; s < layout.slices().size(); s++) {
            slices.add(new NodeCapacity.MigSlice(s + 1, layout.slices().get(s)));
        }
        for (int gpu : proposal.gpus()) {
            node.changing[gpu] = false;
        }
        changing -= proposal.gpus().size();
        return reshape(node, proposal.gpus(), true, slices);
    }

    private static NodeCapacity reshape(Node node, List<Integer> gpus, boolean usable,
                                        List<NodeCapacity.MigSlice> slices) {
        List<NodeCapacity.Gpu> all = new ArrayList<>();
        for (NodeCapacity.Gpu gpu : node.capacity.gpus()) {
            all.add(gpus.contains(gpu.index()) ? new NodeCapacity.Gpu(gpu.index(), gpu.uuid(), usable,
                    gpu.nvlinkDomain(), gpu.numa(), slices) : gpu);
        }
        NodeCapacity old = node.capacity;
        node.capacity = new NodeCapacity(old.name(), old.model(), old.pool(), old.schedulable(), old.simulated(), all);
        return node.capacity;
    }
}
