package dev.vigil.runbooks;

import dev.vigil.api.binding.InvalidValueException;

/**
 * A runbook's own guard; the fleet-wide ones (remediation limit, circuit breaker, repeat offenders)
 * are the controller's configuration ({@link dev.vigil.runbooks.guards.GuardLimits}).
 *
 * @param concurrency the most runs of this runbook under way at once (default 1)
 */
public record RunbookGuards(Integer concurrency) {
    public RunbookGuards {
        concurrency = concurrency == null ? 1 : concurrency;
        InvalidValueException.require(concurrency >= 1 && concurrency <= 100, "concurrency", concurrency, "1 to 100");
    }

    public static RunbookGuards defaults() {
        return new RunbookGuards(null);
    }
}
