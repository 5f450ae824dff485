package dev.vigil.gpu.backend;

import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.mig.MigPlacement;

import java.util.List;

/**
 * Where GPU facts come from: DCGM, NVML or the simulator. The agent's sampling loop is the only
 * caller of {@link #sample} and {@link #drainEvents}; everything else reads the agent's snapshot.
 */
public interface GpuBackend extends AutoCloseable {

    /** {@code dcgm}, {@code nvml} or {@code simulated}. */
    String name();

    /** The node's GPUs and topology as they are now (cheap: backends keep it and update it on change). */
    NodeInventory inventory();

    /** Reads the fields of every GPU and MIG instance. */
    NodeSample sample(FieldSet fields) throws GpuBackendException;

    /** Events (XIDs) seen since the last call, oldest first; never loses one between two calls. */
    List<GpuEvent> drainEvents();

    /** Registers a callback run when an event arrives, so the agent can sample at once rather than at the next tick. */
    void onEvent(Runnable listener);

    /** Processes using {@code gpu}. */
    List<GpuProcess> processes(int gpu) throws GpuBackendException;

    /**
     * Puts {@code gpu} into the given MIG mode and layout. Refused ({@link GpuBackendException.Reason#REFUSED})
     * while the GPU has processes; {@link GpuBackendException.Reason#RESET_REQUIRED} when the MIG mode
     * switch waits for a GPU reset (the instances are created by a call after the reset).
     */
    void applyMig(int gpu, boolean enabled, List<MigPlacement> placements) throws GpuBackendException;

    @Override
    void close();
}
