package dev.vigil.api.mig;

/**
 * One GPU's MIG layout: as it is (from the agent's inventory) and as it was asked to be.
 *
 * @param gpu        the GPU's index
 * @param model      its product name
 * @param migCapable whether it can do MIG
 * @param actual     its layout now, e.g. {@code MIG on: 7×1g.10gb} or {@code MIG off}
 * @param change     its MIG record (asked for, where the change is); null when none was ever asked
 */
public record GpuLayout(int gpu, String model, boolean migCapable, String actual, GpuMig change) {
}
