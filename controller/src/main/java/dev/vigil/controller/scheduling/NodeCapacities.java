package dev.vigil.controller.scheduling;

import dev.vigil.api.cluster.CordonedGpu;
import dev.vigil.api.cluster.ExecutionNode;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.mig.GpuMig;
import dev.vigil.api.mig.MigPhase;
import dev.vigil.scheduler.topology.NodeCapacity;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A node as the scheduler needs it, from what the controller knows: the agent's inventory (GPUs,
 * UUIDs, NVLink domains, NUMA nodes, MIG instances), each GPU's health and cordon, and the node's
 * state. Only a ready node takes new work; only a healthy, uncordoned GPU does (a degraded GPU
 * is unhealthy too: new work would start on a GPU that already shows a fault), and none that a
 * job Vigil did not launch holds (another user's Slurm job), none whose MIG layout is changing, and
 * none in MIG mode without instances (it can run nothing); MIG slices that another scheduler's pod
 * holds are left out, and a GPU with no other slice can run nothing either.
 */
final class NodeCapacities {
    /** NVLink domains of GPUs outside any domain start here, one each: a PCIe GPU reaches no peer over NVLink. */
    private static final int LONE_DOMAINS = 1000;
    /** The GPU backend an agent on simulated GPUs reports in its inventory; DCGM and NVML read real ones. */
    private static final String SIMULATED_GPUS = "simulated";

    private NodeCapacities() {
    }

    /** The node's capacity, or null before its inventory arrived. */
    static NodeCapacity of(NodeRecord node, String pool) {
        if (node.inventory() == null || node.inventory().gpus().isEmpty()) {
            return null;
        }
        Map<Integer, Integer> domainOf = new HashMap<>();
        List<List<Integer>> domains = node.inventory().topology() == null ? List.of()
                : node.inventory().topology().nvlinkDomains();
        for (int d = 0; d < domains.size(); d++) {
            for (int gpu : domains.get(d)) {
                domainOf.put(gpu, d);
            }
        }
        Set<String> cordoned = node.cordonedGpus().stream().map(CordonedGpu::uuid).collect(Collectors.toSet());
        Set<Integer> foreign = node.foreignGpus();
        Set<ExecutionNode.ForeignJob.Slice> foreignSlices = node.foreignSlices();
        Set<Integer> reconfiguring = node.mig().stream().filter(m -> m.phase().changing()).map(GpuMig::gpu)
                .collect(Collectors.toSet());
        Map<Integer, HealthState> health = node.health().stream()
                .collect(Collectors.toMap(GpuHealth::gpu, GpuHealth::state, (a, b) -> a.worse(b)));
        List<NodeCapacity.Gpu> gpus = new ArrayList<>();
        for (GpuDevice device : node.inventory().gpus()) {
            List<NodeCapacity.MigSlice> slices = new ArrayList<>();
            if (device.mig() != null && device.mig().enabled()) {
                for (MigInstance instance : device.mig().instances()) {
                    // Another scheduler's pod holds it: the scheduler does not see it at all.
                    if (!foreignSlices.contains(new ExecutionNode.ForeignJob.Slice(device.index(),
                            instance.gpuInstanceId()))) {
                        slices.add(new NodeCapacity.MigSlice(instance.gpuInstanceId(), instance.profile()));
                    }
                }
            }
            boolean usable = health.getOrDefault(device.index(), HealthState.HEALTHY) == HealthState.HEALTHY
                    && !cordoned.contains(device.uuid()) && !foreign.contains(device.index())
                    && !reconfiguring.contains(device.index())
                    && (device.mig() == null || !device.mig().enabled() || !slices.isEmpty());
            gpus.add(new NodeCapacity.Gpu(device.index(), device.uuid(), usable,
                    domainOf.getOrDefault(device.index(), LONE_DOMAINS + device.index()),
                    device.numaNode() == null ? 0 : device.numaNode(), slices));
        }
        return new NodeCapacity(node.name(), node.inventory().gpus().get(0).model(), pool,
                node.state() == NodeState.READY, SIMULATED_GPUS.equals(node.inventory().backend()), gpus,
                node.execution() == null ? null : node.execution().backend());
    }

    /** Whether the node's state or health, or what its agent applied, changed in a way the scheduler acts on. */
    static boolean matters(NodeRecord old, NodeRecord next) {
        return old == null || old.state() != next.state() || old.drain() != next.drain()
                || old.appliedVersion() != next.appliedVersion()
                || !old.cordonedGpus().equals(next.cordonedGpus())
                || !Objects.equals(old.inventoryHash(), next.inventoryHash())
                || !old.foreignGpus().equals(next.foreignGpus())
                || !old.foreignSlices().equals(next.foreignSlices())
                || !migPhases(old).equals(migPhases(next))
                || !healthStates(old).equals(healthStates(next));
    }

    private static Map<Integer, MigPhase> migPhases(NodeRecord node) {
        Map<Integer, MigPhase> phases = new HashMap<>();
        node.mig().forEach(m -> phases.put(m.gpu(), m.phase()));
        return phases;
    }

    private static Map<Integer, HealthState> healthStates(NodeRecord node) {
        Map<Integer, HealthState> states = new HashMap<>();
        for (GpuHealth health : node.health()) {
            states.put(health.gpu(), health.state());
        }
        return states;
    }
}
