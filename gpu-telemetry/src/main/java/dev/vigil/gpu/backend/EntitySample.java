package dev.vigil.gpu.backend;

import dev.vigil.gpu.fields.FieldSet;

import java.util.Arrays;

/**
 * The values of one sampled entity, a GPU or a MIG GPU instance, indexed by the slots of a
 * {@link FieldSet}. Built by a backend, then only read.
 */
public final class EntitySample {
    private final int gpu;
    private final Integer gpuInstanceId;
    private final double[] values;
    private final byte[] status;

    public EntitySample(int gpu, Integer gpuInstanceId, int slots) {
        this.gpu = gpu;
        this.gpuInstanceId = gpuInstanceId;
        this.values = new double[slots];
        this.status = new byte[slots];
        Arrays.fill(status, (byte) FieldStatus.NOT_SUPPORTED.ordinal());
    }

    /** A sample of a GPU that did not answer: every field {@link FieldStatus#GPU_LOST}. */
    public static EntitySample lost(int gpu, int slots) {
        EntitySample sample = new EntitySample(gpu, null, slots);
        Arrays.fill(sample.status, (byte) FieldStatus.GPU_LOST.ordinal());
        return sample;
    }

    public int gpu() {
        return gpu;
    }

    /** The MIG GPU instance id, or null for a whole GPU. */
    public Integer gpuInstanceId() {
        return gpuInstanceId;
    }

    public boolean isMigInstance() {
        return gpuInstanceId != null;
    }

    public double value(int slot) {
        return values[slot];
    }

    public FieldStatus status(int slot) {
        return FieldStatus.VALUES[status[slot]];
    }

    public boolean has(int slot) {
        return slot >= 0 && status[slot] == 0;
    }

    public boolean lost() {
        return status.length > 0 && status[0] == FieldStatus.GPU_LOST.ordinal();
    }

    public void set(int slot, double value) {
        values[slot] = value;
        status[slot] = (byte) FieldStatus.OK.ordinal();
    }

    public void mark(int slot, FieldStatus fieldStatus) {
        status[slot] = (byte) fieldStatus.ordinal();
    }
}
