package dev.vigil.alerts.lifecycle;

/** Where an alert is: its condition holds but not yet for long enough, it fires, or it is over. */
public enum AlertState {
    PENDING,
    FIRING,
    RESOLVED
}
