package dev.vigil.gpu.mig;

import java.util.Objects;

/**
 * A GPU instance of {@code profile} whose memory starts at slice {@code start}; nvidia-smi shows
 * the same thing as {@code Placement Start:Size}.
 */
public record MigPlacement(String profile, int start) {
    public MigPlacement {
        Objects.requireNonNull(profile, "profile");
    }

    /** {@code 3g.40gb at 4}, the form every message uses. */
    @Override
    public String toString() {
        return profile + " at " + start;
    }
}
