package dev.vigil.k8s;

/** A pod's {@code status.phase}. */
public enum PodPhase {
    PENDING, RUNNING, SUCCEEDED, FAILED, UNKNOWN;

    static PodPhase of(String phase) {
        if (phase == null) {
            return PENDING;
        }
        return switch (phase) {
            case "Pending" -> PENDING;
            case "Running" -> RUNNING;
            case "Succeeded" -> SUCCEEDED;
            case "Failed" -> FAILED;
            default -> UNKNOWN;
        };
    }

    /** The pod will not run again. */
    public boolean finished() {
        return this == SUCCEEDED || this == FAILED;
    }
}
