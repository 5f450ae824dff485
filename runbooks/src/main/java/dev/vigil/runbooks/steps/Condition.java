package dev.vigil.runbooks.steps;

/** What a {@code wait} step waits for. */
public enum Condition {
    /** No work runs on the node (or on the run's GPU, for a GPU run). */
    NODE_EMPTY,
    /** The run's GPU reports healthy. */
    GPU_HEALTHY,
    /** The node's agent reported since the wait began (it came back from a reboot). */
    NODE_REPORTING,
    /** The node is ready: reporting, uncordoned, accepting work. */
    NODE_READY
}
