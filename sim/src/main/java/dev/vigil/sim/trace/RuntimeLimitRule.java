package dev.vigil.sim.trace;

import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.binding.InvalidValueException;

import java.time.Duration;

/**
 * The runtime limit a trace job tells the scheduler when the trace has none (public traces never
 * do). Backfill plans with limits, so the rule matters: {@code 1x} is a perfect estimate, real
 * users ask for more. Either a multiple of the job's real duration, rounded up to the next whole
 * minute (at least one minute), or one fixed limit for every job (a job that runs longer is
 * killed at it).
 *
 * @param factor the multiple of the real duration, or null
 * @param fixed  the one limit, or null
 */
public record RuntimeLimitRule(Double factor, Duration fixed) {
    static final String ALLOWED = "a multiple of the real duration such as 1x, 1.5x or 2x, or a fixed limit such as "
            + "24h";

    /** Twice the real duration: between a perfect estimate and the habit of asking for a day. */
    public static final RuntimeLimitRule DEFAULT = new RuntimeLimitRule(2.0, null);

    public RuntimeLimitRule {
        InvalidValueException.require((factor == null) != (fixed == null), "runtimeLimit", factor != null ? factor
                : fixed, ALLOWED);
        InvalidValueException.require(factor == null || factor >= 1 && factor <= 100, "runtimeLimit", factor + "x",
                "a multiple from 1x to 100x");
        InvalidValueException.require(fixed == null || !fixed.isZero() && !fixed.isNegative(), "runtimeLimit", fixed,
                "a positive duration");
    }

    /** Reads {@code 2x}, {@code 1.5x} or {@code 24h}. */
    public static RuntimeLimitRule parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        if (trimmed.endsWith("x")) {
            try {
                return new RuntimeLimitRule(Double.parseDouble(trimmed.substring(0, trimmed.length() - 1)), null);
            } catch (NumberFormatException e) {
                throw new InvalidValueException("runtimeLimit", text, ALLOWED);
            }
        }
        try {
            return new RuntimeLimitRule(null, HumanDurations.parse(trimmed, "runtimeLimit"));
        } catch (InvalidValueException e) {
            throw new InvalidValueException("runtimeLimit", text, ALLOWED);
        }
    }

    /** The limit for a job that really runs {@code duration}. */
    public Duration limitFor(Duration duration) {
        if (fixed != null) {
            return fixed;
        }
        long millis = (long) Math.ceil(duration.toMillis() * factor);
        long minutes = Math.max(1, (millis + 59_999) / 60_000);
        return Duration.ofMinutes(minutes);
    }

    @Override
    public String toString() {
        if (fixed != null) {
            return HumanDurations.format(fixed);
        }
        return (factor == Math.rint(factor) ? String.valueOf(factor.longValue()) : String.valueOf(factor)) + "x";
    }
}
