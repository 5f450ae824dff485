package dev.vigil.controller.leader;

import dev.vigil.api.Problem;
import dev.vigil.controller.state.Json;
import dev.vigil.controller.state.Store;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * A member's control classes, one per domain, and the {@link EventLoop} they all write on. While
 * this member leads, every mutation is applied here in the loop's order; the periodic sweeps
 * (silent nodes, log retention) are events on the same loop.
 */
public final class Controls {
    private static final Duration SWEEP = Duration.ofMillis(500);
    private static final Duration TRIM_EVERY = Duration.ofMinutes(1);

    private final EventLoop loop;
    private final Store store;
    private final Clock clock;
    private final NodeControl nodes;
    private final TokenControl tokens;
    private final ProvisioningControl provisioning;
    private final JobScheduling jobs;
    private final Alerting alerts;
    private final Remediation runbooks;
    private final MigLayouts mig;
    private final Bootstrap bootstrap;
    private final BooleanSupplier acting;
    /** Loop thread only. */
    private boolean leading;
    private long lastTrim;
    private Future<?> sweeps = CompletableFuture.completedFuture(null);

    /**
     * @param acting whether this member may act now (quorum, not paused): sweeps wait otherwise
     */
    public Controls(EventLoop loop, Store store, Clock clock, NodeControl nodes, Tokens tokens, JobScheduling jobs,
                    Alerting alerts, Remediation runbooks, MigLayouts mig, Bootstrap bootstrap,
                    BooleanSupplier acting) {
        this.loop = loop;
        this.store = store;
        this.clock = clock;
        this.nodes = nodes;
        this.tokens = new TokenControl(store, tokens, clock, loop);
        this.provisioning = new ProvisioningControl(store, clock, loop);
        this.jobs = jobs;
        this.alerts = alerts;
        this.runbooks = runbooks;
        this.mig = mig;
        this.bootstrap = bootstrap;
        this.acting = acting;
    }

    EventLoop loop() {
        return loop;
    }

    /** This member leads now: each control takes over from the store. */
    void startLeading() {
        loop.requireLoop();
        nodes.startLeading();
        bootstrap.ensureTokens();
        jobs.startLeading();
        alerts.startLeading();
        runbooks.startLeading();
        mig.startLeading();
        leading = true;
        sweeps = loop.every("sweep", SWEEP, this::sweep);
    }

    void stopLeading() {
        loop.requireLoop();
        leading = false;
        sweeps.cancel(false);
        jobs.stopLeading();
        alerts.stopLeading();
        runbooks.stopLeading();
        mig.stopLeading();
    }

    /**
     * Applies one mutation in the loop's order; its outcome is the answer to the member that asked.
     * A request applied before (its answer was lost with a leader, and the member or client tried
     * again) is answered with what it came to then: nothing acknowledged is applied twice.
     */
    Outcome apply(Mutation mutation) {
        loop.requireLoop();
        if (!leading) {
            return Outcomes.problem(Problem.of(503, "unavailable", "Service unavailable", "leadership is moving: "
                    + "retry", null));
        }
        if (mutation instanceof Mutation.Report report) {
            // Applying a report twice changes nothing: not worth remembering thousands a second.
            return Outcomes.value(nodes.report(report));
        }
        String request = mutation.caller().request();
        if (request == null) {
            return dispatch(mutation);
        }
        Optional<String> done = store.applied(request);
        if (done.isPresent()) {
            return Json.read(done.get(), Outcome.class);
        }
        Outcome outcome = dispatch(mutation);
        store.applied(request, Json.write(outcome));
        return outcome;
    }

    /**
     * A node's word that a backend job ended, taken on the caller's thread rather than queued
     * behind the loop's cycles: see {@link JobScheduling#hint}. Twice is harmless.
     */
    Outcome hint(Mutation.BackendJobEnded ended) {
        return jobs.hint(ended);
    }

    private Outcome dispatch(Mutation mutation) {
        if (mutation instanceof Mutation.NodeChange change) {
            return nodes.nodeChange(change);
        }
        if (mutation instanceof Mutation.GpuChange change) {
            return nodes.gpuChange(change);
        }
        if (mutation instanceof Mutation.IssueToken issue) {
            return tokens.issue(issue);
        }
        if (mutation instanceof Mutation.RevokeToken revoke) {
            return tokens.revoke(revoke);
        }
        if (mutation instanceof Mutation.JobMutation job) {
            return jobs.apply(job);
        }
        if (mutation instanceof Mutation.AlertMutation alert) {
            return alerts.apply(alert);
        }
        if (mutation instanceof Mutation.RunbookMutation runbook) {
            return runbooks.apply(runbook);
        }
        if (mutation instanceof Mutation.MigMutation change) {
            return mig.apply(change);
        }
        if (mutation instanceof Mutation.RecordAnsibleRun run) {
            return provisioning.record(run);
        }
        Mutation.Refused refused = (Mutation.Refused) mutation;
        store.audit(refused.caller().audited(clock.instant(), refused.detail(), refused.status(), refused.result()));
        return Outcomes.value(null);
    }

    /** Why a job waits: the scheduler's memory is the loop's, so the question is asked on it. */
    Outcome why(String job) {
        loop.requireLoop();
        return jobs.why(job);
    }

    Outcome alerts() {
        return alerts.view();
    }

    /** The runbooks and the breaker: the breaker's state is the loop's, so the question is asked on it. */
    Outcome runbooks() {
        loop.requireLoop();
        return runbooks.view();
    }

    private void sweep() {
        if (!leading || !acting.getAsBoolean()) {
            return;
        }
        nodes.expireSilentNodes();
        if (System.nanoTime() - lastTrim > TRIM_EVERY.toNanos()) {
            nodes.trimLogs();
            lastTrim = System.nanoTime();
        }
    }
}
