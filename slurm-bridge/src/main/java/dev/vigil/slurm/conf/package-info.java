/**
 * Slurm's config files from what Vigil knows: {@link dev.vigil.slurm.conf.GresConf} writes
 * gres.conf lines from a node's GPU inventory (device files, the cores of each GPU's socket,
 * NVLink links), {@link dev.vigil.slurm.conf.TopologyConf} reads and writes topology.conf for
 * {@code topology/tree}, with errors naming the line.
 */
package dev.vigil.slurm.conf;
