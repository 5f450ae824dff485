package dev.vigil.scheduler.topology;

import java.util.List;

/**
 * What the scheduler needs to know of a node: its GPUs, which of them may take work, and whether
 * the node may. Built from an agent's inventory and health plus the node's cordons.
 *
 * @param name        the node's name
 * @param model       its GPU product name (one model per node, as on every HGX/DGX board)
 * @param pool        the node pool it is in, or null
 * @param schedulable whether new work may land on the node at all (not cordoned, draining, unknown)
 * @param simulated   whether its GPUs are simulated (an agent on simulated GPUs): the only nodes where a job
 *                    played on simulated GPUs may go
 * @param gpus        its GPUs
 * @param backend     the execution backend that runs it (Slurm, Kubernetes), or null when none does (yet): a
 *                    job of such a backend goes only to the nodes it runs
 */
public record NodeCapacity(String name, String model, String pool, boolean schedulable, boolean simulated,
                           List<Gpu> gpus, String backend) {
    /** A node no execution backend claims. */
    public NodeCapacity(String name, String model, String pool, boolean schedulable, boolean simulated,
                        List<Gpu> gpus) {
        this(name, model, pool, schedulable, simulated, gpus, null);
    }

    public NodeCapacity {
        gpus = List.copyOf(gpus);
        if (gpus.size() > 32) {
            throw new IllegalArgumentException("node " + name + " has " + gpus.size() + " GPUs; at most 32 are supported");
        }
    }

    /**
     * A GPU.
     *
     * @param index        its index on the node
     * @param uuid         its UUID
     * @param usable       healthy and not cordoned
     * @param nvlinkDomain the NVLink domain it is in (GPUs of one domain reach each other over NVLink)
     * @param numa         its NUMA node
     * @param mig          its MIG GPU instances, when MIG is on (such a GPU only takes slice work)
     */
    public record Gpu(int index, String uuid, boolean usable, int nvlinkDomain, int numa, List<MigSlice> mig) {
        public Gpu {
            mig = mig == null ? List.of() : List.copyOf(mig);
        }
    }

    /** A MIG GPU instance: its id and profile. */
    public record MigSlice(int gpuInstanceId, String profile) {
    }
}
