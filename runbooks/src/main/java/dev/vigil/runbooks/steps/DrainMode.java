package dev.vigil.runbooks.steps;

/** How a drain moves work off. */
public enum DrainMode {
    /** Stop and requeue what runs there at once. */
    REQUEUE,
    /** Let it finish until the deadline, then requeue what is left. */
    ALLOW_COMPLETION
}
