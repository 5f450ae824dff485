package dev.vigil.agent;

import dev.vigil.agent.placement.GpuPlacement;
import dev.vigil.agent.report.ControllerStatus;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.mig.GpuMigStatus;

import java.time.Instant;
import java.util.List;

/**
 * The agent's {@code GET /v1/node}: what the node has, how each GPU is, and which series
 * /metrics leaves out and why.
 *
 * @param node          the node's name
 * @param backend       the GPU backend in use
 * @param sampledAt     when the data was read
 * @param ready         whether /readyz says ready
 * @param notReady      why not, when not
 * @param inventory     GPUs and topology
 * @param health        each GPU's health with reasons and repair action
 * @param omittedFields fields left out of /metrics, grouped by field and reason
 * @param controller    the controller the agent reports to, when, the last error and the desired
 *                      state; absent when no controller is configured
 * @param mig           how each GPU with a MIG target stands: phase, what the agent did or waits for, since when
 * @param placement     each GPU's processes as the agent reports them: owner, job, verdict and, for a violation,
 *                      what was done since when (GPUs without processes left out; empty when the agent reports to
 *                      no controller)
 */
public record NodeView(String node, String backend, Instant sampledAt, boolean ready, List<String> notReady,
                       NodeInventory inventory, List<GpuHealth> health, List<OmittedField> omittedFields,
                       ControllerStatus controller, List<GpuMigStatus> mig,
                       List<GpuPlacement> placement) {

    /**
     * A field /metrics leaves out for some GPUs or MIG instances.
     *
     * @param field        the metric name, or {@code *} for every field of a GPU that does not answer
     * @param reason       why, e.g. "not supported by this GPU or driver"
     * @param gpus         GPU indices it is missing for
     * @param migInstances MIG instances it is missing for, as {@code gpu/GPU_I_ID}
     */
    public record OmittedField(String field, String reason, List<Integer> gpus, List<String> migInstances) {
    }
}
