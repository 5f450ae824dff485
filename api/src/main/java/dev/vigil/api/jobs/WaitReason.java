package dev.vigil.api.jobs;

/** Why a job is not running (yet). */
public enum WaitReason {
    /** Its tenant's quota (and cohort) cannot cover it. */
    QUOTA,
    /** The GPUs it needs are busy now; it would fit on an idle cluster. */
    ROOM,
    /** It would fit only on nodes held for a blocked gang, and its runtime limit ends after that gang starts. */
    RESERVATION,
    /** Even an idle cluster cannot give it the topology it requires. */
    TOPOLOGY,
    /** Only cordoned, draining or unhealthy GPUs could hold it. */
    UNSCHEDULABLE,
    /** No node has the GPU model, pool or MIG profile it asks for. */
    NO_MATCHING_NODES,
    /** It is deeper in the queue than one scheduling cycle looks. */
    QUEUE_DEPTH,
    /** It is not waiting. */
    NONE
}
