package dev.vigil.agent.placement;

import dev.vigil.agent.execution.SimulatedJobRunner;
import dev.vigil.gpu.simulated.SimulatedNode;

import java.util.Optional;

/**
 * Attribution on simulated GPUs, where there is no /proc to read: the simulated node says which GPU's workload a
 * process belongs to (none for a rogue one), and the simulated job runner which Vigil job runs that workload.
 */
public final class SimulatedAttribution implements Attribution {
    private final SimulatedNode node;
    private final SimulatedJobRunner jobs;

    public SimulatedAttribution(SimulatedNode node, SimulatedJobRunner jobs) {
        this.node = node;
        this.jobs = jobs;
    }

    @Override
    public Optional<ProcessIdentity> identify(long pid) {
        return node.origin(pid).map(origin -> {
            String job = origin.gpu() == null ? null : jobs.jobOn(origin.gpu(), origin.gpuInstance());
            Owner owner = job == null ? Owner.UNKNOWN : Owner.vigilJob(job);
            return new ProcessIdentity(pid, origin.uid(), origin.command(), owner, null);
        });
    }
}
