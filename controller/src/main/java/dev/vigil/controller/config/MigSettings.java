package dev.vigil.controller.config;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.scheduler.mig.LayoutAdvisor;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code mig:} section of the controller's config: where the named MIG configs are, how long a
 * change may take in each phase, and whether the leader changes layouts to follow demand.
 *
 * @param configs      a mig-parted {@code v1} file of named configs; absent: the configs Vigil ships
 *                     ({@code all-disabled}, {@code all-1g.10gb}, {@code all-3g.40gb}, {@code all-balanced})
 * @param drainTimeout how long jobs that may not be preempted get to leave a GPU whose layout changes,
 *                     when the request does not say
 * @param applyTimeout how long an agent gets to apply a layout (and a GPU waits for a reset) before the
 *                     change fails
 * @param auto         layouts that follow demand
 */
public record MigSettings(Path configs, Duration drainTimeout, Duration applyTimeout, Auto auto) {
    public MigSettings {
        drainTimeout = drainTimeout == null ? Duration.ofMinutes(30) : drainTimeout;
        InvalidValueException.require(drainTimeout.compareTo(Duration.ZERO) >= 0
                && drainTimeout.compareTo(Duration.ofDays(7)) <= 0, "drainTimeout", drainTimeout, "from 0s to 7d");
        applyTimeout = applyTimeout == null ? Duration.ofMinutes(10) : applyTimeout;
        InvalidValueException.require(applyTimeout.compareTo(Duration.ofSeconds(10)) >= 0
                && applyTimeout.compareTo(Duration.ofHours(6)) <= 0, "applyTimeout", applyTimeout, "from 10s to 6h");
        auto = auto == null ? new Auto(null, null, null, null) : auto;
    }

    public static MigSettings defaults() {
        return new MigSettings(null, null, null, null);
    }

    /** This section with a relative {@code configs} resolved against {@code dir}. */
    MigSettings beside(Path dir) {
        return configs == null || configs.isAbsolute() ? this
                : new MigSettings(dir.resolve(configs), drainTimeout, applyTimeout, auto);
    }

    /**
     * Layouts that follow demand: every {@code interval} the leader applies the proposals
     * {@code vigil mig plan} shows, within these limits.
     *
     * @param enabled               off by default: a production fleet's layouts change when its operators say so
     * @param interval              how often the leader looks
     * @param maxGpusChangingAtOnce at most this many GPUs changing layout at once, fleet-wide
     * @param minIdle               keep at least this many idle GPUs of each kind (whole, sliced)
     */
    public record Auto(Boolean enabled, Duration interval, Integer maxGpusChangingAtOnce, Integer minIdle) {
        public Auto {
            enabled = enabled != null && enabled;
            interval = interval == null ? Duration.ofMinutes(1) : interval;
            InvalidValueException.require(interval.compareTo(Duration.ofSeconds(1)) >= 0
                    && interval.compareTo(Duration.ofHours(24)) <= 0, "interval", interval, "from 1s to 24h");
            maxGpusChangingAtOnce = maxGpusChangingAtOnce == null ? 2 : maxGpusChangingAtOnce;
            InvalidValueException.require(maxGpusChangingAtOnce >= 1 && maxGpusChangingAtOnce <= 1024,
                    "maxGpusChangingAtOnce", maxGpusChangingAtOnce, "1 to 1024");
            minIdle = minIdle == null ? 1 : minIdle;
            InvalidValueException.require(minIdle >= 0 && minIdle <= 1024, "minIdle", minIdle, "0 to 1024");
        }

        /** The limits proposals keep to, whether shown ({@code vigil mig plan}) or applied. */
        public LayoutAdvisor.Settings limits() {
            return new LayoutAdvisor.Settings(maxGpusChangingAtOnce, minIdle);
        }
    }
}
