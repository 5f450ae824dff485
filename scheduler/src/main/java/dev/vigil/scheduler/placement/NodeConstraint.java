package dev.vigil.scheduler.placement;

/**
 * Which nodes a job may use by something the scheduler does not know (a Kubernetes pod's
 * nodeSelector against the nodes' labels): the controller gives it, the scheduler only asks.
 * Jobs that ask the same share one form, so implementations are values (equal when they select
 * the same).
 */
public interface NodeConstraint {
    /** Whether the job may run on {@code node}. */
    boolean allows(String node);

    /** Why the job may not run on {@code node}, for people ("no label gpu (nodeSelector gpu=h100)"). */
    String why(String node);

    /** What it selects, for people: "nodeSelector gpu=h100". */
    String describe();
}
