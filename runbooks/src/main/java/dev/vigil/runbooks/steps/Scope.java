package dev.vigil.runbooks.steps;

/** Whether a step acts on the whole node or on the run's GPU; by default, on what the run targets. */
public enum Scope {
    NODE,
    GPU
}
