package dev.vigil.runbooks;

import dev.vigil.api.binding.InvalidValueException;
import org.quartz.CronExpression;

import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.TimeZone;

/**
 * Starts a run on a Quartz cron schedule (seconds first: {@code 0 0 6 ? * MON} is Mondays at 06:00),
 * in UTC so that every controller fires it at the same instant.
 *
 * <p>Misfire policy: fire once now. The leader's Quartz keeps schedules in memory (RAMJobStore) and
 * registers them again when leadership moves; fire times missed meanwhile, however many, make one
 * run at once ({@link #missedSince}), never one per missed time, and never none.
 */
public record ScheduleTrigger(String cron) {
    static final String ALLOWED = "a Quartz cron expression: seconds minutes hours day-of-month month day-of-week "
            + "[year], with ? in one of the day fields, e.g. 0 0 6 ? * MON";

    public ScheduleTrigger {
        InvalidValueException.required(cron, "cron", ALLOWED);
        try {
            CronExpression.validateExpression(cron);
        } catch (ParseException e) {
            throw new InvalidValueException("cron", cron, ALLOWED + "; " + e.getMessage());
        }
    }

    /** The first fire time after {@code after}, or null when the expression fires no more. */
    public Instant nextAfter(Instant after) {
        Date next = expression().getNextValidTimeAfter(Date.from(after));
        return next == null ? null : next.toInstant();
    }

    /**
     * Whether a fire time fell in {@code (lastRun, now]}: the new leader then starts one run at once
     * (the misfire policy). A runbook that never ran has missed nothing.
     */
    public boolean missedSince(Instant lastRun, Instant now) {
        if (lastRun == null) {
            return false;
        }
        Instant next = nextAfter(lastRun);
        return next != null && !next.isAfter(now);
    }

    private CronExpression expression() {
        try {
            CronExpression expression = new CronExpression(cron);
            expression.setTimeZone(TimeZone.getTimeZone("UTC"));
            return expression;
        } catch (ParseException e) {
            throw new IllegalStateException("validated at construction", e);
        }
    }

    @Override
    public String toString() {
        return "cron " + cron;
    }
}
