package dev.vigil.sim.trace;

import java.util.List;
import java.util.Optional;

/** What MIG slices a cluster offers: how a trace's fractional-GPU requests become slices. */
@FunctionalInterface
public interface MigSlices {
    /**
     * The smallest MIG profile on GPUs of {@code models} (any model when empty) whose compute share
     * (its compute slices out of 7) is at least {@code milli} thousandths of a GPU.
     */
    Optional<String> smallestCovering(int milli, List<String> models);

    /** A cluster without MIG. */
    MigSlices NONE = (milli, models) -> Optional.empty();
}
