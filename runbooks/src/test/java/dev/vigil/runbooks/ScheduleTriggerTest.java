package dev.vigil.runbooks;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.TimeZone;

import static org.assertj.core.api.Assertions.assertThat;

class ScheduleTriggerTest {
    private static final ScheduleTrigger MONDAYS = new ScheduleTrigger("0 0 6 ? * MON");
    /** A Sunday. */
    private static final Instant SUNDAY = Instant.parse("2026-12-06T10:00:00Z");

    @Test
    void firesMondaysAtSixUtc() {
        assertThat(MONDAYS.nextAfter(SUNDAY)).isEqualTo(Instant.parse("2026-12-07T06:00:00Z"));
        assertThat(MONDAYS.nextAfter(Instant.parse("2026-12-07T06:00:00Z"))).isEqualTo(Instant.parse("2026-12-14T06:00:00Z"));
        assertThat(new ScheduleTrigger("0 0 0 1 1 ? 2020").nextAfter(SUNDAY)).isNull();
    }

    @Test
    void missedFireTimesMakeOneRunAtTakeover() {
        assertThat(MONDAYS.missedSince(SUNDAY, Instant.parse("2026-12-07T05:59:59Z"))).isFalse();
        assertThat(MONDAYS.missedSince(SUNDAY, Instant.parse("2026-12-07T06:00:00Z"))).isTrue();
        assertThat(MONDAYS.missedSince(SUNDAY, Instant.parse("2026-12-30T00:00:00Z"))).isTrue();
        assertThat(MONDAYS.missedSince(null, SUNDAY)).isFalse();
        assertThat(new ScheduleTrigger("0 0 0 1 1 ? 2020").missedSince(SUNDAY, SUNDAY.plusSeconds(1))).isFalse();
    }

    @Test
    void firesInUtcWhateverTheJvmsZone() {
        TimeZone before = TimeZone.getDefault();
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
            assertThat(MONDAYS.nextAfter(SUNDAY)).isEqualTo(Instant.parse("2026-12-07T06:00:00Z"));
        } finally {
            TimeZone.setDefault(before);
        }
    }

    @Test
    void describesItself() {
        assertThat(MONDAYS).hasToString("cron 0 0 6 ? * MON");
    }
}
