package dev.vigil.runbooks;

import dev.vigil.api.binding.InvalidValueException;

/**
 * What starts a runbook: an alert or a schedule, exactly one. A runbook without a trigger runs only
 * when an operator asks.
 */
public record Trigger(AlertTrigger alert, ScheduleTrigger schedule) {
    public Trigger {
        InvalidValueException.require((alert == null) != (schedule == null), "",
                alert == null ? null : "alert, schedule",
                "exactly one of alert, schedule (leave trigger out for a runbook run only by hand)");
    }

    /** {@code alert GpuXidFatal{xid=79}} or {@code cron 0 0 6 ? * MON}. */
    @Override
    public String toString() {
        return alert != null ? alert.toString() : schedule.toString();
    }
}
