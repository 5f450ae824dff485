package dev.vigil.controller.placement;

import dev.vigil.api.cluster.AuditEntry;
import dev.vigil.api.cluster.ClusterEvent;
import dev.vigil.api.cluster.CordonedGpu;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;
import dev.vigil.api.placement.Enforcement;
import dev.vigil.api.placement.JudgedProcess;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the leader makes of the placement violations in a report, as a pure step: each new action an agent took
 * (SIGTERM, SIGKILL, a signal that failed) is audited once; a violation whose pool's policy is {@code cordon-gpu}
 * cordons its GPU (the cordon is the controller's to make), with an event and an audit entry. An operator's
 * uncordon then stands until another process violates on that GPU.
 */
public final class PlacementReflex {
    public static final String ACTOR = "placement";

    private PlacementReflex() {
    }

    /**
     * @param cordonedGpus the node's GPU cordons after this step
     * @param events       cluster events to append (the cordons)
     * @param audits       audit entries to append (every action)
     */
    public record Step(List<CordonedGpu> cordonedGpus, List<ClusterEvent> events, List<AuditEntry> audits) {
    }

    /**
     * @param before       the violations stored from the node's previous report
     * @param now          the violations of this report
     * @param cordonedGpus the node's GPU cordons before this step
     */
    public static Step apply(String node, NodeInventory inventory, List<JudgedProcess> before,
                             List<JudgedProcess> now, List<CordonedGpu> cordonedGpus, Instant at) {
        Set<String> known = new HashSet<>();
        before.forEach(p -> known.add(key(p)));
        List<CordonedGpu> cordons = new ArrayList<>(cordonedGpus);
        List<ClusterEvent> events = new ArrayList<>();
        List<AuditEntry> audits = new ArrayList<>();
        for (JudgedProcess process : now) {
            if (process.enforcement() == null || process.enforcement() == Enforcement.REPORTED
                    || !known.add(key(process))) {
                continue;
            }
            String what = process.verdict().wire() + " pid " + process.pid() + " on gpu " + process.gpu() + " of "
                    + node + " (user " + process.user() + ", command " + process.command() + ", owner "
                    + process.owner() + ", job " + (process.job() == null ? "none" : process.job()) + ")";
            if (process.enforcement() != Enforcement.CORDON_GPU) {
                audits.add(new AuditEntry(0, at, ACTOR, null, node, "placement " + process.enforcement().wire(), what,
                        200, process.enforcement() == Enforcement.SIGNAL_FAILED ? "failed" : "applied"));
                continue;
            }
            Optional<String> uuid = uuid(inventory, process.gpu());
            if (uuid.isEmpty() || cordons.stream().anyMatch(c -> c.uuid().equals(uuid.get()))) {
                continue;
            }
            String reason = "placement: " + what;
            cordons.add(new CordonedGpu(process.gpu(), uuid.get(), reason, ACTOR, at));
            events.add(new ClusterEvent(0, at, node, process.gpu(), "cordon", Severity.WARNING, RepairAction.NONE,
                    "cordoned gpu " + process.gpu() + " of " + node + ": " + reason, ACTOR));
            audits.add(new AuditEntry(0, at, ACTOR, null, node, "placement cordon-gpu", what, 200,
                    "gpu " + process.gpu() + " of " + node + ": not cordoned -> cordoned"));
        }
        cordons.sort(Comparator.comparingInt(CordonedGpu::gpu));
        return new Step(cordons, events, audits);
    }

    /** One process's violation and what was done about it: a new action on the same PID is news. */
    private static String key(JudgedProcess process) {
        return process.gpu() + "/" + process.pid() + "/" + process.enforcement();
    }

    private static Optional<String> uuid(NodeInventory inventory, int gpu) {
        return inventory == null ? Optional.empty() : inventory.gpus().stream().filter(d -> d.index() == gpu)
                .map(GpuDevice::uuid).findFirst();
    }
}
