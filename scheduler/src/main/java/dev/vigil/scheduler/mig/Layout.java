package dev.vigil.scheduler.mig;

import java.util.List;
import java.util.Objects;

/**
 * What a named MIG config makes of one GPU of a model.
 *
 * @param config the config's name, e.g. {@code all-1g.10gb}
 * @param slices the profile names of its GPU instances (e.g. seven {@code 1g.10gb}); empty: MIG off, a whole GPU
 */
public record Layout(String config, List<String> slices) {
    public Layout {
        Objects.requireNonNull(config, "config");
        slices = List.copyOf(slices);
    }

    /** Whether the config turns MIG off: the GPU is whole. */
    public boolean whole() {
        return slices.isEmpty();
    }

    /** How many instances of {@code profile} it makes. */
    public int count(String profile) {
        return (int) slices.stream().filter(profile::equals).count();
    }
}
