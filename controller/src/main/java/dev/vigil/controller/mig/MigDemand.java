package dev.vigil.controller.mig;

import dev.vigil.api.cluster.ExecutionNode;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.mig.GpuMig;
import dev.vigil.api.mig.MigPhase;
import dev.vigil.api.mig.MigProposal;
import dev.vigil.scheduler.mig.GpuState;
import dev.vigil.scheduler.mig.LayoutAdvisor;
import dev.vigil.scheduler.mig.Proposal;
import dev.vigil.scheduler.mig.Waiting;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What waits and what idles, from the stored nodes and jobs, as the {@link LayoutAdvisor} takes
 * them; its proposals as {@code GET /v1/mig/plan} answers them. A read: any member computes it.
 */
public final class MigDemand {
    private MigDemand() {
    }

    /**
     * The layout changes that would let waiting work start on idle GPUs, with the numbers behind each.
     * The advisor knows no pools: it is asked once per pool (that pool's nodes and the jobs that ask for
     * it), then once for the jobs that name no pool over every node, each time with the GPUs already
     * proposed counted as changing.
     *
     * @param poolOf each node's pool (nodes in none are left out)
     */
    public static List<MigProposal> plan(List<NodeRecord> nodes, List<JobRecord> jobs, Map<String, String> poolOf,
                                         MigConfigs configs, LayoutAdvisor.Settings limits, Instant now) {
        List<GpuDevice> devices = new ArrayList<>();
        int changing = 0;
        for (NodeRecord node : nodes) {
            if (node.inventory() != null) {
                devices.addAll(node.inventory().gpus());
                changing += (int) node.mig().stream().filter(m -> m.phase().changing()).count();
            }
        }
        LayoutAdvisor advisor = new LayoutAdvisor(configs.layouts(devices), limits);
        Map<String, List<Waiting>> waitingByPool = new TreeMap<>(Comparator.nullsLast(Comparator.naturalOrder()));
        for (JobRecord job : jobs) {
            int placed = job.placements().size();
            boolean waits = !job.state().finished() && (!job.state().holdsGpus()
                    || job.spec().kind() == JobKind.INFERENCE && placed < job.spec().replicas());
            if (waits) {
                Instant since = job.submitted() == null ? now : job.submitted();
                waitingByPool.computeIfAbsent(job.spec().pool(), p -> new ArrayList<>()).add(Waiting.of(job.id(),
                        job.spec(), job.state().holdsGpus() ? placed : 0, Duration.between(since, now)));
            }
        }
        List<Proposal> proposals = new ArrayList<>();
        Set<String> proposed = new HashSet<>();
        for (Map.Entry<String, List<Waiting>> pool : waitingByPool.entrySet()) {
            List<GpuState> gpus = new ArrayList<>();
            for (NodeRecord node : nodes) {
                if (node.inventory() != null && (pool.getKey() == null || pool.getKey().equals(poolOf.get(node.name())))) {
                    node.inventory().gpus().forEach(device -> gpus.add(state(node, device,
                            proposed.contains(node.name() + "/" + device.index()))));
                }
            }
            for (Proposal proposal : advisor.propose(gpus, pool.getValue(), changing)) {
                proposals.add(proposal);
                changing += proposal.gpus().size();
                proposal.gpus().forEach(gpu -> proposed.add(proposal.node() + "/" + gpu));
            }
        }
        return proposals.stream().map(MigDemand::proposal).toList();
    }

    private static MigProposal proposal(Proposal p) {
        return new MigProposal(p.node(), p.gpus(), p.fromConfig() == null ? "current" : p.fromConfig(), p.toConfig(),
                p.why(), p.serves());
    }

    /** A GPU as the advisor sees it: its layout, whether anything holds it, and whether it may change now. */
    private static GpuState state(NodeRecord node, GpuDevice device, boolean proposed) {
        Optional<GpuMig> record = node.mig().stream().filter(m -> m.gpu() == device.index()).findFirst();
        boolean migOn = device.mig() != null && device.mig().enabled();
        List<String> slices = migOn ? device.mig().instances().stream().map(MigInstance::profile).toList() : List.of();
        Set<Integer> heldInstances = new HashSet<>();
        boolean held = false;
        for (Allocation allocation : node.allocations()) {
            if (allocation.gpus().contains(device.index())) {
                held = true;
                heldInstances.addAll(allocation.migInstances());
            }
        }
        // Another scheduler's pod on a slice holds the GPU as much as a job of Vigil's: its layout stays.
        for (ExecutionNode.ForeignJob.Slice slice : node.foreignSlices()) {
            if (slice.gpu() == device.index()) {
                held = true;
                heldInstances.add(slice.gpuInstance());
            }
        }
        boolean healthy = node.health().stream().filter(h -> h.gpu() == device.index()).map(GpuHealth::state)
                .allMatch(s -> s == HealthState.HEALTHY);
        boolean cordoned = node.cordonedGpus().stream().anyMatch(c -> c.uuid().equals(device.uuid()));
        boolean changeable = node.state() == NodeState.READY && healthy && !cordoned
                && device.mig() != null && device.mig().capable()
                && !node.foreignGpus().contains(device.index())
                && record.map(m -> !m.phase().changing()).orElse(true) && !proposed;
        List<String> free = migOn ? device.mig().instances().stream()
                .filter(i -> !heldInstances.contains(i.gpuInstanceId())).map(MigInstance::profile).toList() : List.of();
        String config = record.filter(m -> m.phase() == MigPhase.SUCCESS).map(GpuMig::config).orElse(null);
        return new GpuState(node.name(), device.index(), device.model(), config, slices, !held, changeable,
                held ? free : slices);
    }
}
