package dev.vigil.agent;

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
import java.util.concurrent.CountDownLatch;

/**
 * A backend that is not the simulator (so fault injection is refused) and that tests can make
 * fail or hang, as a real library does when its host engine goes away. Reads come from a simulated node.
 */
final class FailingBackend implements GpuBackend {
    private final SimulatedNode gpus;
    volatile GpuBackendException failure;
    /** When set, reads wait for it: a driver call that hangs. */
    volatile CountDownLatch hang;

    FailingBackend(SimulatedNode gpus) {
        this.gpus = gpus;
    }

    @Override
    public String name() {
        return "dcgm";
    }

    @Override
    public NodeInventory inventory() {
        return gpus.inventory();
    }

    @Override
    public NodeSample sample(FieldSet fields) throws GpuBackendException {
        if (failure != null) {
            throw failure;
        }
        CountDownLatch latch = hang;
        if (latch != null) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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
        gpus.applyMig(gpu, enabled, placements);
    }

    @Override
    public void close() {
        gpus.close();
    }
}
