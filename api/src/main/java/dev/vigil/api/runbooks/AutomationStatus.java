package dev.vigil.api.runbooks;

import java.time.Instant;

/**
 * Whether runbooks may act, as {@code GET /v1/runbooks/automation} and {@code vigil runbooks} show it.
 *
 * @param halted          the circuit breaker tripped: no run starts until an operator resumes
 * @param reason          why it tripped (or who resumed it and why), in words
 * @param since           when it last changed
 * @param inRemediation   nodes a run is repairing now
 * @param remediationLimit the most nodes in remediation at once
 * @param recentCordons   nodes the reflex or runbooks cordoned within the breaker's window
 * @param breakerLimit    more cordons than this within the window trip the breaker
 */
public record AutomationStatus(boolean halted, String reason, Instant since, int inRemediation, int remediationLimit,
                               int recentCordons, int breakerLimit) {
}
