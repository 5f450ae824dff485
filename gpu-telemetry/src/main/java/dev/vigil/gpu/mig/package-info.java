/**
 * MIG geometry: which GPU-instance layouts an A100-40GB, A100-80GB, H100-80GB or H200-141GB can
 * hold, a planner that lays out requested instance counts, and NVIDIA mig-parted config files
 * turned into per-GPU plans.
 *
 * <ul>
 *   <li>{@link dev.vigil.gpu.mig.MigGpuModel}: the profile tables and the lookup from NVML product
 *       name or PCI device id.</li>
 *   <li>{@link dev.vigil.gpu.mig.MigLayoutValidator}: every reason a set of
 *       {@link dev.vigil.gpu.mig.MigPlacement}s is illegal.</li>
 *   <li>{@link dev.vigil.gpu.mig.MigPlanner}: counts to placements, deterministic, in creation order.</li>
 *   <li>{@link dev.vigil.gpu.mig.MigPartedConfig}: a mig-parted {@code v1} file to
 *       {@link dev.vigil.gpu.mig.MigGpuPlan}s for a node's {@link dev.vigil.gpu.mig.NodeGpu}s.</li>
 * </ul>
 *
 * <p>Interpretations, where the sources leave room:
 * <ul>
 *   <li>Legal layout: each instance at one of its profile's starts, no memory slice shared, at most 7
 *       SM slices, no profile above its maximum (the 1-slice {@code +me} profile: once per GPU).
 *       4g + 3g is legal (the guide says unsupported only before R510). H200 placements are assumed
 *       equal to A100/H100's; no H200 {@code -lgipp} output was found.</li>
 *   <li>{@code Nc.} prefixes: compute instances of N SM slices inside GPU instances of the named
 *       profile, packed onto as few GPU instances as hold them (see {@code ComputeInstancePacking}).</li>
 *   <li>Several entries selecting one GPU, a listed index the node lacks, and an empty
 *       {@code device-filter} are errors, not mig-parted's silent choices.</li>
 * </ul>
 */
package dev.vigil.gpu.mig;
