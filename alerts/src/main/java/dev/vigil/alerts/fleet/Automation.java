package dev.vigil.alerts.fleet;

import java.time.Instant;

/**
 * Whether runbooks may act: the circuit breaker's state.
 *
 * @param halted the breaker tripped: no run starts until an operator resumes
 * @param reason why it tripped, in words (null when it never did)
 * @param since  when it last changed (null when it never did)
 */
public record Automation(boolean halted, String reason, Instant since) {
    /** Runbooks may act: what a fleet without a breaker's state has. */
    public static Automation running() {
        return new Automation(false, null, null);
    }
}
