package dev.vigil.agent;

import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.simulated.SimulatedNode;

import java.time.Clock;

/** Opens the backend the config asks for. */
public final class Backends {
    private Backends() {
    }

    public static GpuBackend open(AgentConfig config, Clock clock) throws GpuBackendException {
        return switch (config.backend()) {
            case SIMULATED -> new SimulatedNode(config.node(), config.simulated(), clock);
            case AUTO, DCGM, NVML -> throw new GpuBackendException(GpuBackendException.Reason.LIBRARY_MISSING,
                    "the " + config.backend().name().toLowerCase() + " backend is not available in this build");
        };
    }
}
