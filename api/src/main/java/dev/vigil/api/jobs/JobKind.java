package dev.vigil.api.jobs;

/** What a job is. */
public enum JobKind {
    /** A gang: every GPU at once or none. */
    TRAINING,
    /** A service of replicas, each placed on its own. */
    INFERENCE
}
