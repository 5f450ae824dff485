package dev.vigil.scheduler.mig;

import java.util.List;
import java.util.Objects;

/**
 * One GPU as it is now.
 *
 * @param node       its node
 * @param gpu        its index on the node
 * @param model      its product name, the key of the advisor's layouts
 * @param config     the MIG config it is in, or null when unknown
 * @param slices     the profiles of its GPU instances; empty: a whole GPU (MIG off)
 * @param idle       no job holds it or any of its slices
 * @param changeable healthy, schedulable and not already changing: it may take work or a new layout
 * @param freeSlices the profiles of its instances no job holds (added to the brief's fields: a partly used GPU's free
 *                   slices count as free capacity); the seven-argument constructor takes all slices of an idle GPU
 *                   and none of a busy one
 */
public record GpuState(String node, int gpu, String model, String config, List<String> slices, boolean idle,
                       boolean changeable, List<String> freeSlices) {
    public GpuState {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(model, "model");
        slices = List.copyOf(slices);
        freeSlices = List.copyOf(freeSlices);
    }

    public GpuState(String node, int gpu, String model, String config, List<String> slices, boolean idle,
                    boolean changeable) {
        this(node, gpu, model, config, slices, idle, changeable, idle ? slices : List.of());
    }

    /** MIG off: the GPU takes whole-GPU work. */
    public boolean whole() {
        return slices.isEmpty();
    }
}
