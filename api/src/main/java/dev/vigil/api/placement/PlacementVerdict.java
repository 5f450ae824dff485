package dev.vigil.api.placement;

/** What a node's agent makes of a process on one of its GPUs. */
public enum PlacementVerdict {
    /** Its job holds that GPU (or MIG slice). */
    ALLOWED,
    /** Its job holds other GPUs (or slices) on this node, not this one. */
    OVERREACH,
    /** It belongs to no job, or to a job that holds nothing on this node. */
    ROGUE,
    /** On the system allowlist (NVIDIA daemons, the agent itself). */
    SYSTEM,
    /** Seen within the grace period of an allocation starting or ending on that GPU: not judged yet. */
    UNJUDGED;

    /** Whether this verdict is a placement violation. */
    public boolean violation() {
        return this == OVERREACH || this == ROGUE;
    }

    /** {@code overreach}, as the API and the CLI write it. */
    public String wire() {
        return name().toLowerCase();
    }
}
