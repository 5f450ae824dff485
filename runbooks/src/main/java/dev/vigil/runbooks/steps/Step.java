package dev.vigil.runbooks.steps;

/**
 * One step kind's behaviour. {@link #attempt} is called on every advance of a run while the step's
 * attempt is under way: the first call starts what the step does, later calls look at how it goes.
 * It never blocks, and calling it again changes nothing twice (cordons are states; agent actions and
 * BMC requests carry the attempt's id).
 */
public sealed interface Step permits Cordon, Uncordon, Drain, Wait, GpuReset, Reboot, PowerCycle, HealthCheck, Notify,
        Approve, Exec, Return, Report {

    /** Starts the attempt or looks at how it goes. */
    Progress attempt(StepContext context);

    /** What the step would do, for a dry run: no call that changes anything. */
    String plan(StepContext context);
}
