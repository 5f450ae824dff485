package dev.vigil.agent.mig;

import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.backend.NodeSample;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.mig.MigPlacement;
import dev.vigil.gpu.simulated.SimulatedNode;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * Simulated GPUs whose MIG changes the test counts and can cut: with {@code cut} set, a change
 * destroys the GPU's instances (as NVML's first step does) and then hangs until the thread is
 * interrupted, as an agent killed in the middle of a change would have left it.
 */
final class ScriptedMigBackend implements GpuBackend {
    private final SimulatedNode gpus;
    final List<String> applied = new CopyOnWriteArrayList<>();
    /** Counted down once a cut change has destroyed the instances. */
    final CountDownLatch cutDone = new CountDownLatch(1);
    volatile boolean cut;

    ScriptedMigBackend(SimulatedNode gpus) {
        this.gpus = gpus;
    }

    @Override
    public String name() {
        return "nvml";
    }

    @Override
    public NodeInventory inventory() {
        return gpus.inventory();
    }

    @Override
    public NodeSample sample(FieldSet fields) {
        return gpus.sample(fields);
    }

    @Override
    public List<GpuEvent> drainEvents() {
        return gpus.drainEvents();
    }

    @Override
    public void onEvent(Runnable listener) {
        gpus.onEvent(listener);
    }

    @Override
    public List<GpuProcess> processes(int gpu) {
        return gpus.processes(gpu);
    }

    @Override
    public void applyMig(int gpu, boolean enabled, List<MigPlacement> placements) throws GpuBackendException {
        applied.add(gpu + ":" + enabled + ":" + placements);
        if (cut) {
            gpus.applyMig(gpu, true, List.of());
            cutDone.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new GpuBackendException(GpuBackendException.Reason.DRIVER_ERROR, "the agent was stopped");
        }
        gpus.applyMig(gpu, enabled, placements);
    }

    @Override
    public void close() {
        gpus.close();
    }
}
