package dev.vigil.agent.placement;

import java.util.Locale;

/** What the agent makes of a process on a GPU. */
public enum Verdict {
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

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this verdict is a placement violation to report. */
    public boolean violation() {
        return this == OVERREACH || this == ROGUE;
    }
}
