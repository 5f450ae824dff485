package dev.vigil.api.gpu;

/** A GPU's health, worst last so that {@code max} of ordinals gives the overall state. */
public enum HealthState {
    HEALTHY,
    /** Usable but something is wrong (thermal slowdown, an NVLink down, an app-level XID). */
    DEGRADED,
    /** Must not run work until repaired (fatal XID, ECC DBE, fallen off the bus, row-remap failure). */
    FAILED;

    public HealthState worse(HealthState other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
