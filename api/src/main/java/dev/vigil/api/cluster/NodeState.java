package dev.vigil.api.cluster;

/** Where a node is in its lifecycle. */
public enum NodeState {
    /** The agent reported once; not yet healthy enough to be ready. */
    REGISTERED,
    /** Reporting and usable. */
    READY,
    /** No new work may land (a fault, or an operator). */
    CORDONED,
    /** Cordoned, and work is being moved off. */
    DRAINING,
    /** Cordoned and empty: ready for repair. */
    DRAINED,
    /** The agent stopped reporting. */
    UNKNOWN
}
