package dev.vigil.agent.sampling;

import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.gpu.backend.EntitySample;
import dev.vigil.gpu.backend.NodeSample;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the agent knows at one moment: published by the sampling loop, read by scrapes and the
 * API without locks. Never changed once published.
 *
 * @param inventory    the node's GPUs and topology
 * @param sample       the latest sample, or null before the first one succeeded
 * @param health       each GPU's health
 * @param lastXids     the last XID each GPU raised since the agent started (GPUs with none are absent)
 * @param xidCounts    XIDs per GPU in the window
 * @param xidWindow    that window
 * @param backendError why the last sample failed, or null when it succeeded
 */
public record Snapshot(NodeInventory inventory, NodeSample sample, List<GpuHealth> health,
                       Map<Integer, Integer> lastXids, Map<GpuXid, Integer> xidCounts, Duration xidWindow, String backendError) {

    static Snapshot initial(NodeInventory inventory, Duration xidWindow) {
        return new Snapshot(inventory, null, List.of(), Map.of(), Map.of(), xidWindow, null);
    }

    Snapshot failed(String error) {
        return new Snapshot(inventory, sample, health, lastXids, xidCounts, xidWindow, error);
    }

    /** When the data was read, or null when there is none. */
    public Instant sampledAt() {
        return sample == null ? null : sample.time();
    }

    /**
     * Why this snapshot must not be called ready at {@code now}: no data yet, the backend
     * failing, data older than {@code maxAge}, or GPUs whose series are missing because they do
     * not answer. Empty when ready.
     */
    public List<String> notReadyReasons(Instant now, Duration maxAge) {
        List<String> reasons = new ArrayList<>();
        if (backendError != null) {
            reasons.add("backend failing: " + backendError);
        }
        if (sample == null) {
            reasons.add("no sample yet");
            return reasons;
        }
        Duration age = Duration.between(sample.time(), now);
        if (age.compareTo(maxAge) > 0) {
            reasons.add("data is stale: last sample " + age.toMillis() + " ms ago (limit " + maxAge.toMillis() + " ms)");
        }
        if (inventory.gpus().isEmpty()) {
            reasons.add("no GPUs");
        }
        for (EntitySample entity : sample.entities()) {
            if (entity.lost()) {
                reasons.add("gpu " + entity.gpu() + " (" + inventory.gpus().get(entity.gpu()).uuid()
                        + ") does not answer: its series are left out");
            }
        }
        return reasons;
    }
}
