package dev.vigil.agent.placement;

import dev.vigil.agent.execution.SimulatedJobRunner;
import dev.vigil.gpu.simulated.SimulatedNode;

import java.util.Optional;

/**
 * Attribution on simulated GPUs, where there is no /proc to read: the simulated node says which GPU's workload a
 * process belongs to (none for a rogue one), and the simulated job runner which Vigil job runs that workload. A
 * workload no job runs is the simulated node's configured background load: it belongs to the unit
 * {@value #BACKGROUND_UNIT}, which the agent counts as system on simulated GPUs.
 */
public final class SimulatedAttribution implements Attribution {
    /** The system name of the simulated node's configured workloads. */
    public static final String BACKGROUND = "simulated-workload";
    private static final String BACKGROUND_UNIT = BACKGROUND + ".service";

    private final SimulatedNode node;
    private final SimulatedJobRunner jobs;

    public SimulatedAttribution(SimulatedNode node, SimulatedJobRunner jobs) {
        this.node = node;
        this.jobs = jobs;
    }

    @Override
    public Optional<ProcessIdentity> identify(long pid) {
        return node.origin(pid).map(origin -> {
            Owner owner = Owner.UNKNOWN;
            if (origin.gpu() != null) {
                String job = jobs.jobOn(origin.gpu(), origin.gpuInstance());
                owner = job == null ? Owner.unit(BACKGROUND_UNIT) : Owner.vigilJob(job);
            }
            return new ProcessIdentity(pid, origin.uid(), origin.command(), owner, null);
        });
    }

    /** Simulated PIDs are not reused while the agent runs: the process is the same while the node has it. */
    @Override
    public boolean sameProcess(ProcessIdentity identity) {
        return node.origin(identity.pid()).isPresent();
    }
}
