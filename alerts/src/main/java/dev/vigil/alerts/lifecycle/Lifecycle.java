package dev.vigil.alerts.lifecycle;

import dev.vigil.alerts.rules.Finding;

import java.time.Duration;
import java.time.Instant;

/**
 * Prometheus's alert lifecycle, one step at a time. A condition that starts holding makes a
 * pending alert (firing at once when {@code for} is 0); one that held for {@code for} fires; a
 * pending alert whose condition clears is dropped, never notified; a firing one resolves once its
 * condition has been clear for {@code keepFiringFor}; a resolved one whose condition holds again
 * starts a new cycle with the same fingerprint.
 */
public final class Lifecycle {
    private Lifecycle() {
    }

    /**
     * @param previous the alert as it was, or null
     * @param finding  what the rule found now, or null when its condition does not hold
     * @return the alert now, or null when there is none (a pending alert dropped, or nothing at all)
     */
    public static Alert step(Alert previous, Finding finding, Duration pendingFor, Duration keepFiringFor,
                             Instant now) {
        if (finding != null) {
            if (previous == null || previous.resolved()) {
                String fingerprint = previous != null ? previous.fingerprint() : Fingerprint.of(finding.labels());
                boolean fireNow = pendingFor.isZero();
                return new Alert(fingerprint, finding.labels(), finding.annotations(), finding.value(),
                        fireNow ? AlertState.FIRING : AlertState.PENDING, Alert.RULE, now, fireNow ? now : null, now,
                        null, null);
            }
            if (previous.state() == AlertState.PENDING
                    && Duration.between(previous.activeAt(), now).compareTo(pendingFor) >= 0) {
                return previous.with(AlertState.FIRING, finding.annotations(), finding.value(), previous.activeAt(),
                        now, now, null);
            }
            return previous.with(previous.state(), finding.annotations(), finding.value(), previous.activeAt(),
                    previous.firedAt(), now, null);
        }
        if (previous == null || previous.state() == AlertState.PENDING) {
            return null;
        }
        if (previous.firing()) {
            boolean keep = previous.lastTrueAt() != null
                    && Duration.between(previous.lastTrueAt(), now).compareTo(keepFiringFor) < 0;
            return keep ? previous : previous.resolvedAt(now);
        }
        return previous;
    }
}
