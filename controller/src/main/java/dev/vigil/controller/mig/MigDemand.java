package dev.vigil.controller.mig;

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
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What waits and what idles, from the stored nodes and jobs, as the {@link LayoutAdvisor} takes
 * them; its proposals as {@code GET /v1/mig/plan} answers them. A read: any member computes it.
 */
public final class MigDemand {
    private MigDemand() {
    }

    /** The layout changes that would let waiting work start on idle GPUs, with the numbers behind each. */
    public static List<MigProposal> plan(List<NodeRecord> nodes, List<JobRecord> jobs, MigConfigs configs,
                                         LayoutAdvisor.Settings limits, Instant now) {
        List<GpuState> gpus = new ArrayList<>();
        List<GpuDevice> devices = new ArrayList<>();
        int changing = 0;
        for (NodeRecord node : nodes) {
            if (node.inventory() == null) {
                continue;
            }
            changing += (int) node.mig().stream().filter(m -> m.phase().changing()).count();
            for (GpuDevice device : node.inventory().gpus()) {
                devices.add(device);
                gpus.add(state(node, device));
            }
        }
        List<Waiting> waiting = new ArrayList<>();
        for (JobRecord job : jobs) {
            int placed = job.placements().size();
            boolean short_ = !job.state().finished() && (!job.state().holdsGpus()
                    || job.spec().kind() == JobKind.INFERENCE && placed < job.spec().replicas());
            if (short_) {
                Instant since = job.submitted() == null ? now : job.submitted();
                waiting.add(Waiting.of(job.id(), job.spec(), job.state().holdsGpus() ? placed : 0,
                        Duration.between(since, now)));
            }
        }
        LayoutAdvisor advisor = new LayoutAdvisor(configs.layouts(devices), limits);
        return advisor.propose(gpus, waiting, changing).stream().map(MigDemand::proposal).toList();
    }

    private static MigProposal proposal(Proposal p) {
        return new MigProposal(p.node(), p.gpus(), p.fromConfig() == null ? "current" : p.fromConfig(), p.toConfig(),
                p.why(), p.serves());
    }

    /** A GPU as the advisor sees it: its layout, whether anything holds it, and whether it may change now. */
    private static GpuState state(NodeRecord node, GpuDevice device) {
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
        boolean healthy = node.health().stream().filter(h -> h.gpu() == device.index()).map(GpuHealth::state)
                .allMatch(s -> s == HealthState.HEALTHY);
        boolean cordoned = node.cordonedGpus().stream().anyMatch(c -> c.uuid().equals(device.uuid()));
        boolean changeable = node.state() == NodeState.READY && healthy && !cordoned
                && device.mig() != null && device.mig().capable()
                && !node.foreignGpus().contains(device.index())
                && record.map(m -> !m.phase().changing()).orElse(true);
        List<String> free = migOn ? device.mig().instances().stream()
                .filter(i -> !heldInstances.contains(i.gpuInstanceId())).map(MigInstance::profile).toList() : List.of();
        String config = record.filter(m -> m.phase() == MigPhase.SUCCESS).map(GpuMig::config).orElse(null);
        return new GpuState(node.name(), device.index(), device.model(), config, slices, !held, changeable,
                held ? free : slices);
    }
}
