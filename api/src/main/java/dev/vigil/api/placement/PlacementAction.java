package dev.vigil.api.placement;

/** What a node does about a process that violates placement; chosen per node pool. */
public enum PlacementAction {
    /** An event, the metric, the alert: nothing is stopped (the default, safe on any fleet). */
    REPORT,
    /** Reported, then SIGTERM, a grace period, SIGKILL. */
    KILL,
    /** Reported, and the GPU is cordoned: no new work lands on it until an operator uncordons it. */
    CORDON_GPU;

    /** {@code cordon-gpu}, as the API and the CLI write it. */
    public String wire() {
        return name().toLowerCase().replace('_', '-');
    }
}
