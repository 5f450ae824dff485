package dev.vigil.runbooks.guards;

import dev.vigil.api.binding.InvalidValueException;

import java.time.Duration;

/**
 * The fleet-wide guards, as the controller's configuration sets them (every field optional).
 *
 * @param remediationPercent  at most this percent of the nodes in remediation at once, and at least
 *                            one (default 10)
 * @param breakerPercent      the breaker trips when more than this percent of the nodes, and more
 *                            than {@code breakerMinNodes}, were cordoned within the window (default 20)
 * @param breakerMinNodes     default 2
 * @param breakerWindow       default 10m
 * @param repeatLimit         a node remediated this many times within {@code repeatWindow} is not
 *                            remediated again automatically: the run escalates (default 2)
 * @param repeatWindow        default 7d
 */
public record GuardLimits(Integer remediationPercent, Integer breakerPercent, Integer breakerMinNodes,
                          Duration breakerWindow, Integer repeatLimit, Duration repeatWindow) {
    public GuardLimits {
        remediationPercent = remediationPercent == null ? 10 : remediationPercent;
        InvalidValueException.require(remediationPercent >= 1 && remediationPercent <= 100, "remediationPercent",
                remediationPercent, "1 to 100");
        breakerPercent = breakerPercent == null ? 20 : breakerPercent;
        InvalidValueException.require(breakerPercent >= 1 && breakerPercent <= 100, "breakerPercent", breakerPercent,
                "1 to 100");
        breakerMinNodes = breakerMinNodes == null ? 2 : breakerMinNodes;
        InvalidValueException.require(breakerMinNodes >= 1, "breakerMinNodes", breakerMinNodes, "1 or more");
        breakerWindow = breakerWindow == null ? Duration.ofMinutes(10) : breakerWindow;
        InvalidValueException.require(!breakerWindow.isZero() && breakerWindow.compareTo(Duration.ofDays(1)) <= 0,
                "breakerWindow", breakerWindow, "more than 0s, at most 1d");
        repeatLimit = repeatLimit == null ? 2 : repeatLimit;
        InvalidValueException.require(repeatLimit >= 1, "repeatLimit", repeatLimit, "1 or more");
        repeatWindow = repeatWindow == null ? Duration.ofDays(7) : repeatWindow;
        InvalidValueException.require(!repeatWindow.isZero() && repeatWindow.compareTo(Duration.ofDays(90)) <= 0,
                "repeatWindow", repeatWindow, "more than 0s, at most 90d");
    }

    public static GuardLimits defaults() {
        return new GuardLimits(null, null, null, null, null, null);
    }

    /** The most nodes in remediation at once in a fleet of {@code nodes}: max(1, percent of them). */
    public int remediationLimit(int nodes) {
        return Math.max(1, nodes * remediationPercent / 100);
    }

    /** More cordons than this within the window trip the breaker: max(min nodes, percent of the fleet). */
    public int breakerLimit(int nodes) {
        return Math.max(breakerMinNodes, nodes * breakerPercent / 100);
    }
}
