package dev.vigil.alerts.suppression;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A silence, as stored: it mutes the alerts all its matchers match between {@code startsAt} and
 * {@code endsAt}. Expiring one sets {@code endsAt} to now; it is kept a while after so people
 * can see what was silenced.
 *
 * @param id        its id
 * @param matchers  which alerts it mutes
 * @param startsAt  from when
 * @param endsAt    until when
 * @param createdBy who made it
 * @param comment   why
 * @param updatedAt when it was made or last changed
 * @param updatedBy who last changed it (expired it, say)
 */
public record Silence(String id, List<Matcher> matchers, Instant startsAt, Instant endsAt, String createdBy,
                      String comment, Instant updatedAt, String updatedBy) {
    public Silence {
        matchers = List.copyOf(matchers);
    }

    public enum Status {
        PENDING,
        ACTIVE,
        EXPIRED
    }

    public Status status(Instant now) {
        if (!now.isBefore(endsAt)) {
            return Status.EXPIRED;
        }
        return now.isBefore(startsAt) ? Status.PENDING : Status.ACTIVE;
    }

    public boolean mutes(Map<String, String> labels, Instant now) {
        if (status(now) != Status.ACTIVE) {
            return false;
        }
        for (Matcher matcher : matchers) {
            if (!matcher.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    public Silence expired(Instant now, String actor) {
        return new Silence(id, matchers, startsAt.isAfter(now) ? now : startsAt, now, createdBy, comment, now, actor);
    }
}
