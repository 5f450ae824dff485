package dev.vigil.sim;

import dev.vigil.scheduler.Cycle;
import dev.vigil.scheduler.Scheduler;
import dev.vigil.scheduler.topology.NodeCapacity;
import dev.vigil.sim.cluster.SimCluster;
import dev.vigil.sim.trace.TraceJob;

import java.time.Instant;

/** The controller's scheduler, the same code, on the simulated cluster. */
public final class VigilScheduler implements SimScheduler {
    private final Scheduler scheduler;

    public VigilScheduler(SimCluster cluster) {
        this.scheduler = new Scheduler(cluster.policy(), cluster.fabric());
        cluster.nodes().forEach(scheduler::upsertNode);
    }

    @Override
    public String name() {
        return "vigil";
    }

    @Override
    public void submit(TraceJob job, Instant now) {
        scheduler.submit(job.id(), job.spec(), now);
    }

    @Override
    public Round schedule(Instant now) {
        long start = System.nanoTime();
        Cycle cycle = scheduler.schedule(now);
        long nanos = System.nanoTime() - start;
        // The controller persists what changed after each cycle; here that is only dropped, to keep memory flat.
        scheduler.takeChanged();
        return new Round(cycle.decisions(), nanos);
    }

    @Override
    public boolean changesLayouts() {
        return true;
    }

    @Override
    public void upsertNode(NodeCapacity node) {
        scheduler.upsertNode(node);
    }

    @Override
    public void running(String id, Instant now) {
        scheduler.running(id, now);
    }

    @Override
    public void finished(String id, boolean succeeded, Instant now) {
        scheduler.finished(id, succeeded, succeeded ? "ran to its end" : "killed at its runtime limit", now);
    }
}
