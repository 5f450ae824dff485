package dev.vigil.agent.sampling;

import dev.vigil.gpu.backend.GpuBackendException;

/** Told about every sampling cycle: its duration, its failures, and each snapshot it publishes. */
public interface SamplingObserver {
    void sampled(long nanos);

    /** A new snapshot is out; called on the sampling thread, so it can do work scrapes then skip. */
    void published(Snapshot snapshot);

    void failed(GpuBackendException.Reason reason);
}
