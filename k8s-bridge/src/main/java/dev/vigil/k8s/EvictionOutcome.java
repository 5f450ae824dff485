package dev.vigil.k8s;

/** What came of asking the Eviction API to evict a pod. */
public enum EvictionOutcome {
    /** The API server took the eviction: the pod is being deleted gracefully. */
    EVICTED,
    /** A PodDisruptionBudget does not allow it now (429): ask again later, or delete after a deadline. */
    BLOCKED,
    /** There is no such pod (404). */
    GONE
}
