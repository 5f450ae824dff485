package dev.vigil.api.mig;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.binding.TextFields;

/**
 * One GPU instance of a layout: its profile and the memory slice it starts at, with one compute
 * instance spanning it.
 *
 * @param profile e.g. {@code 3g.40gb}
 * @param start   first memory slice, 0 to 7
 */
public record MigSlot(String profile, int start) {
    public MigSlot {
        InvalidValueException.required(profile, "profile", "a MIG profile name such as 1g.10gb");
        TextFields.line(profile, "profile", 32);
        InvalidValueException.require(start >= 0 && start <= 7, "start", start, "a memory slice, 0 to 7");
    }

    /** {@code 3g.40gb@4}. */
    @Override
    public String toString() {
        return profile + "@" + start;
    }
}
