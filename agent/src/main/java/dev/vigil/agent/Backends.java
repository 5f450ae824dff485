package dev.vigil.agent;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.dcgm.DcgmBackend;
import dev.vigil.gpu.nvml.NvmlBackend;
import dev.vigil.gpu.simulated.SimulatedNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/**
 * Opens the backend the config asks for. {@code auto} tries DCGM, then NVML, and says in one
 * log line which one it uses and why the others did not work; simulated GPUs are never a
 * fallback. DCGM reads the telemetry; NVML, always installed where DCGM is, answers inventory,
 * processes and MIG changes for it.
 */
public final class Backends {
    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    private Backends() {
    }

    public static GpuBackend open(AgentConfig config, Clock clock) throws GpuBackendException {
        return switch (config.backend()) {
            case SIMULATED -> new SimulatedNode(config.node(), config.simulated(), clock);
            case NVML -> NvmlBackend.open(config.node(), config.nvml(), clock);
            case DCGM -> dcgm(config, clock);
            case AUTO -> auto(config, clock);
        };
    }

    private static GpuBackend dcgm(AgentConfig config, Clock clock) throws GpuBackendException {
        DcgmBackend.findLibrary(config.dcgm());
        NvmlBackend nvml;
        try {
            nvml = NvmlBackend.open(config.node(), config.nvml(), clock);
        } catch (GpuBackendException e) {
            throw new GpuBackendException(e.reason(), "DCGM needs NVML for inventory, processes and MIG, and NVML "
                    + "does not work: " + e.getMessage(), e);
        }
        try {
            return DcgmBackend.open(config.node(), config.dcgm(), clock, nvml, config.sampling().interval());
        } catch (GpuBackendException | RuntimeException e) {
            nvml.close();
            throw e;
        }
    }

    private static GpuBackend auto(AgentConfig config, Clock clock) throws GpuBackendException {
        GpuBackendException dcgmFailure;
        try {
            GpuBackend dcgm = dcgm(config, clock);
            LOG.atInfo().addKeyValue("backend", "dcgm").addKeyValue("why", "DCGM works ("
                    + config.dcgm().mode().name().toLowerCase() + ")").log("backend_selected");
            return dcgm;
        } catch (GpuBackendException e) {
            dcgmFailure = e;
        }
        try {
            GpuBackend nvml = NvmlBackend.open(config.node(), config.nvml(), clock);
            LOG.atInfo().addKeyValue("backend", "nvml").addKeyValue("dcgm", dcgmFailure.getMessage())
                    .log("backend_selected");
            return nvml;
        } catch (GpuBackendException nvmlFailure) {
            throw new GpuBackendException(nvmlFailure.reason(), "no GPU backend works on this machine: dcgm: "
                    + dcgmFailure.getMessage() + "; nvml: " + nvmlFailure.getMessage()
                    + " (for simulated GPUs, set backend: simulated)", nvmlFailure);
        }
    }
}
