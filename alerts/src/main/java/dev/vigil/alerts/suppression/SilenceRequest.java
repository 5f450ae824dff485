package dev.vigil.alerts.suppression;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.binding.TextFields;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A silence as a person asks for it (REST body, {@code vigil silence}): Alertmanager's fields,
 * with {@code duration} as an alternative to {@code endsAt}.
 *
 * @param matchers  which alerts it mutes; at least one must not match an empty label
 * @param startsAt  when it starts (default: now)
 * @param endsAt    when it ends; or give {@code duration}
 * @param duration  how long it lasts from {@code startsAt}
 * @param createdBy who asks (default: the caller's identity)
 * @param comment   why: required, it is what the next person on call reads
 */
public record SilenceRequest(List<Matcher> matchers, Instant startsAt, Instant endsAt, Duration duration,
                             String createdBy, String comment) {
    public SilenceRequest {
        InvalidValueException.required(matchers, "matchers", "a list of matchers, e.g. [node=\"gpu-07\"]");
        matchers = List.copyOf(TextFields.list(matchers, "matchers", 64));
        InvalidValueException.require(!matchers.isEmpty(), "matchers", "[]", "at least one matcher");
        InvalidValueException.require(!matchers.stream().allMatch(Matcher::matchesEmpty), "matchers",
                matchers.toString(), "at least one matcher that does not match an empty label "
                        + "(else the silence would mute every alert)");
        InvalidValueException.require(endsAt == null || duration == null, "duration", duration,
                "either endsAt or duration, not both");
        InvalidValueException.require(endsAt != null || duration != null, "endsAt", null,
                "endsAt (a time) or duration (e.g. 2h)");
        InvalidValueException.require(duration == null || !duration.isNegative() && !duration.isZero(), "duration",
                duration, "a positive duration, e.g. 2h");
        InvalidValueException.require(endsAt == null || startsAt == null || endsAt.isAfter(startsAt), "endsAt", endsAt,
                "a time after startsAt (" + startsAt + ")");
        InvalidValueException.required(comment, "comment", "why the alerts are silenced");
        InvalidValueException.require(!comment.isBlank(), "comment", comment, "why the alerts are silenced");
        TextFields.text(comment, "comment", 1024);
        TextFields.line(createdBy, "createdBy", 128);
    }
}
