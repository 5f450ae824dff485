package dev.vigil.api.gpu;

/** How urgently a person must look at an event. */
public enum Severity {
    INFO,
    WARNING,
    CRITICAL
}
