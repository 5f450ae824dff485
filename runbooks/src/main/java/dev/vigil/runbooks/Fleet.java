package dev.vigil.runbooks;

import dev.vigil.api.cluster.AgentAction;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.runbooks.RunTarget;

import java.time.Instant;
import java.util.Optional;

/**
 * What runbooks may read and do, as the controller's leader provides it. Called on the leader's
 * one thread: every method returns at once (the controller hands slow work, such as ipmitool, to
 * another thread and reports it by id). Every mutation is idempotent, so that a new leader that
 * repeats the last step's call changes nothing twice: a state that is already so stays so, and a
 * request with an id already seen is not carried out again.
 *
 * <p>A {@link RunTarget} with a GPU means that GPU only; without one, the whole node. {@code actor}
 * is {@code runbook:<name>/<run>}, for the audit log.
 */
public interface Fleet {
    /** The node as stored: its state, health, cordons, allocations, asked actions and their results. */
    Optional<NodeRecord> node(String name);

    /** Whether work (a job's allocation, or a foreign Slurm job) still runs on the node or GPU. */
    boolean busy(RunTarget target);

    /** No new work may land there. */
    void cordon(RunTarget target, String actor, String reason);

    /** New work may land there again (an operator's cordon or the reflex's alike). */
    void uncordon(RunTarget target, String actor, String reason);

    /** Cordons it and marks it draining: running work is left alone until {@link #requeue}. */
    void drain(RunTarget target, String actor, String reason);

    /** Stops what runs there and requeues it elsewhere (a gang everywhere); nothing when nothing runs. */
    void requeue(RunTarget target, String actor, String reason);

    /** Returns it to service: uncordoned, no longer draining. */
    void resume(RunTarget target, String actor, String reason);

    /**
     * Asks the node's agent for {@code action} in its desired state; asking an id already asked
     * changes nothing. The outcome shows in {@link NodeRecord#actionResults()}.
     */
    void ask(String node, AgentAction action);

    /** Takes the action out of the node's desired state (the agent then stops reporting it). */
    void withdraw(String node, String actionId);

    /**
     * Power-cycles the node through its BMC ({@code ipmitool chassis power cycle}, off the leader's
     * thread); an id already asked is not carried out again. Where no BMC is configured the result is
     * a failure that says so.
     */
    void powerCycle(String id, String node, String actor);

    /** How the power cycle {@code id} went; empty when it was never asked. */
    Optional<BmcResult> powerCycleResult(String id);

    /**
     * Runs {@code command} on the node over SSH (key authentication, its host key pinned), off the
     * leader's thread; an id already asked is not run again. Where no SSH is configured the result
     * is a failure that says so.
     */
    void exec(String id, String node, String command, String actor);

    /** How the command {@code id} went; empty when it was never asked. */
    Optional<ExecResult> execResult(String id);

    /** A note to people (webhook, PagerDuty info); {@code id} deduplicates a repeated call. */
    void notify(String id, String summary, String details);

    /** A page: a run failed or escalated and people must act; {@code id} deduplicates a repeated call. */
    void page(String id, String summary, String details);

    /**
     * Produces the capacity report (GPU-hours by tenant and model, idle allocated GPU-hours, p95
     * queueing, failed and cordoned GPUs, demand growth, over the week before {@code now}), writes it
     * under the data dir and sends it to the webhook if one is configured, off the leader's thread;
     * {@code id} deduplicates a repeated call.
     */
    void report(String id, String actor, Instant now);
}
