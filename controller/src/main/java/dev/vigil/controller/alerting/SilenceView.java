package dev.vigil.controller.alerting;

import dev.vigil.alerts.suppression.Matcher;
import dev.vigil.alerts.suppression.Silence;

import java.time.Instant;
import java.util.List;

/**
 * A silence as the REST API and {@code vigil silence list} show it: the stored silence and
 * whether it is in force.
 *
 * @param id        its id
 * @param status    pending (starts later), active, or expired (kept 5 days)
 * @param matchers  which alerts it mutes
 * @param startsAt  from when
 * @param endsAt    until when
 * @param createdBy who asked for it
 * @param comment   why
 * @param updatedAt when it was made or last changed
 * @param updatedBy who last changed it
 */
public record SilenceView(String id, Silence.Status status, List<Matcher> matchers, Instant startsAt, Instant endsAt,
                          String createdBy, String comment, Instant updatedAt, String updatedBy) {

    static SilenceView of(Silence silence, Instant now) {
        return new SilenceView(silence.id(), silence.status(now), silence.matchers(), silence.startsAt(),
                silence.endsAt(), silence.createdBy(), silence.comment(), silence.updatedAt(), silence.updatedBy());
    }
}
