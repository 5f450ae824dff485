/**
 * MIG layouts as the fleet carries them: the layout the controller wants a GPU in
 * ({@link dev.vigil.api.mig.GpuMigTarget}, in the node's desired state), how the node's agent says
 * it went ({@link dev.vigil.api.mig.GpuMigStatus}, in its report), the controller's record of a
 * change from the operator's request to the end ({@link dev.vigil.api.mig.GpuMig}), and what an
 * operator sends to ask for one ({@link dev.vigil.api.mig.MigRequest}).
 */
package dev.vigil.api.mig;
