package dev.vigil.agent.placement;

import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.NodeSample;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.mig.MigPlacement;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A GPU backend whose process lists the test sets, with a simulated node's inventory; it samples nothing. */
final class ListedProcesses implements GpuBackend {
    private final NodeInventory inventory;
    final List<GpuProcess> processes = new CopyOnWriteArrayList<>();

    ListedProcesses(NodeInventory inventory) {
        this.inventory = inventory;
    }

    @Override
    public String name() {
        return "listed";
    }

    @Override
    public NodeInventory inventory() {
        return inventory;
    }

    @Override
    public NodeSample sample(FieldSet fields) {
        throw new UnsupportedOperationException("the enforcer does not sample");
    }

    @Override
    public List<GpuEvent> drainEvents() {
        return List.of();
    }

    @Override
    public void onEvent(Runnable listener) {
    }

    @Override
    public List<GpuProcess> processes(int gpu) {
        return processes.stream().filter(p -> p.gpu() == gpu).toList();
    }

    @Override
    public void applyMig(int gpu, boolean enabled, List<MigPlacement> placements) {
        throw new UnsupportedOperationException("no MIG here");
    }

    @Override
    public void close() {
    }
}
