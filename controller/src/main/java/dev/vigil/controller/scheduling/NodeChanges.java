package dev.vigil.controller.scheduling;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.controller.leader.NodeListener;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Nodes the leader stored since the scheduler last looked, the latest of each. The node control
 * drops them here without waiting (several nodes may change in one event);
 * the scheduler takes them at its next cycle, and is woken at once when one matters (a state change,
 * a health change, a confirmation).
 */
public final class NodeChanges implements NodeListener {
    private final Map<String, NodeRecord> latest = new ConcurrentHashMap<>();
    private final Queue<ApplicationFault> faults = new ConcurrentLinkedQueue<>();
    private volatile Runnable wake = () -> { };

    @Override
    public void changed(NodeRecord old, NodeRecord next) {
        latest.put(next.name(), next);
        if (NodeCapacities.matters(old, next)) {
            wake.run();
        }
    }

    /** An XID whose action is to restart the application (the job's code faulted, not the GPU) wakes the scheduler. */
    @Override
    public void events(String node, List<GpuEvent> events) {
        boolean any = false;
        for (GpuEvent event : events) {
            if (event.kind() == GpuEvent.Kind.XID && event.action() == RepairAction.RESTART_APP) {
                faults.add(new ApplicationFault(node, event.gpu(), event.message()));
                any = true;
            }
        }
        if (any) {
            wake.run();
        }
    }

    /** An application fault on a GPU, as its agent described it. */
    record ApplicationFault(String node, int gpu, String why) {
    }

    void onChange(Runnable wake) {
        this.wake = wake;
    }

    /** The application faults reported since the last call, in order. */
    List<ApplicationFault> takeFaults() {
        List<ApplicationFault> taken = new ArrayList<>();
        for (ApplicationFault fault = faults.poll(); fault != null; fault = faults.poll()) {
            taken.add(fault);
        }
        return taken;
    }

    /** The nodes changed since the last call. */
    List<NodeRecord> take() {
        List<NodeRecord> taken = new ArrayList<>(latest.size());
        for (String name : List.copyOf(latest.keySet())) {
            NodeRecord node = latest.remove(name);
            if (node != null) {
                taken.add(node);
            }
        }
        return taken;
    }
}
