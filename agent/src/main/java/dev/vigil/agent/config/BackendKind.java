package dev.vigil.agent.config;

/** Which GPU backend the agent reads. */
public enum BackendKind {
    /** DCGM if it works, else NVML; the agent logs which one and why the others did not. */
    AUTO,
    DCGM,
    NVML,
    /** Simulated GPUs: only when configured, never as a fallback. */
    SIMULATED
}
