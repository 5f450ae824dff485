package dev.vigil.http;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.vigil.api.binding.InvalidValueException;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;

/**
 * How many connections a server holds and how long an idle one stays open: the
 * {@code connections:} section of agent.yaml and controller.yaml. A server that accepted every
 * connection would run out of file descriptors under a flood, and then so would whatever else
 * the process keeps open (the controller's storage halts its member when it cannot open a file).
 *
 * @param max         connections held at once; a new one beyond it is answered 503 and closed.
 *                    Default: a quarter of this process's open-file limit, at most 16,384, so
 *                    storage, logs and the cluster's own links keep the rest
 * @param perClient   connections one client address may hold at once, so one client cannot take
 *                    them all. Default: a quarter of {@code max}
 * @param idleTimeout a connection with no request in progress for this long is closed
 */
public record ConnectionLimits(Integer max, Integer perClient, Duration idleTimeout) {
    /** The largest default {@code max}: beyond this many, memory runs short before descriptors do. */
    static final int DEFAULT_MAX_CEILING = 16_384;

    public ConnectionLimits {
        long openFiles = openFileLimit();
        long most = Math.max(1, openFiles / 2);
        max = max == null ? defaultMax(openFiles) : max;
        InvalidValueException.require(max >= 1 && max <= most, "max", max, "1 to " + most
                + ": at most half of this process's open-file limit (" + openFiles
                + "), the rest is kept for storage and logs; raise LimitNOFILE to allow more");
        perClient = perClient == null ? Math.max(1, max / 4) : perClient;
        InvalidValueException.require(perClient >= 1 && perClient <= max, "perClient", perClient,
                "1 to max (" + max + ")");
        idleTimeout = idleTimeout == null ? Duration.ofMinutes(2) : idleTimeout;
        InvalidValueException.require(idleTimeout.compareTo(Duration.ofMillis(100)) >= 0
                && idleTimeout.compareTo(Duration.ofHours(1)) <= 0, "idleTimeout", idleTimeout, "from 100ms to 1h");
    }

    /** Every limit at its default. */
    public static ConnectionLimits defaults() {
        return new ConnectionLimits(null, null, null);
    }

    /** The default {@code max} for a process that may open {@code openFiles} descriptors. */
    static int defaultMax(long openFiles) {
        return (int) Math.max(1, Math.min(DEFAULT_MAX_CEILING, openFiles / 4));
    }

    /**
     * How many descriptors this process may open (its soft limit, which the JVM raises to the
     * hard limit at start on Linux).
     */
    static long openFileLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : 8192;
    }
}
