package dev.vigil.controller.leader;

/** What an operator can do to a node. */
public enum NodeAction {
    /** No new work may land on the node. */
    CORDON,
    /** New work may land again (not while draining: that is {@link #RESUME}). */
    UNCORDON,
    /** Cordon, and move work off. */
    DRAIN,
    /** Back into service after a drain or a cordon, with the GPUs' cordons cleared too. */
    RESUME
}
