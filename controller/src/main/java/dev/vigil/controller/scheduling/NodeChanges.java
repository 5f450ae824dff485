package dev.vigil.controller.scheduling;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.controller.leader.NodeListener;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Nodes the leader stored since the scheduler last looked, the latest of each. The node control
 * drops them here without waiting (several nodes may change in one event);
 * the scheduler takes them at its next cycle, and is woken at once when one matters (a state change,
 * a health change, a confirmation).
 */
public final class NodeChanges implements NodeListener {
    private final Map<String, NodeRecord> latest = new ConcurrentHashMap<>();
    private volatile Runnable wake = () -> { };

    @Override
    public void changed(NodeRecord old, NodeRecord next) {
        latest.put(next.name(), next);
        if (NodeCapacities.matters(old, next)) {
            wake.run();
        }
    }

    void onChange(Runnable wake) {
        this.wake = wake;
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
