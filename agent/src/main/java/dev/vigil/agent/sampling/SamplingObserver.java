package dev.vigil.agent.sampling;

import dev.vigil.gpu.backend.GpuBackendException;

/** Told about every sampling cycle, for the agent's own metrics. */
public interface SamplingObserver {
    void sampled(long nanos);

    void failed(GpuBackendException.Reason reason);
}
