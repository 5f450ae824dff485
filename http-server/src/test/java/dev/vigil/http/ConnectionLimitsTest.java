package dev.vigil.http;

import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectionLimitsTest {
    @Test
    void theDefaultCapIsAQuarterOfTheOpenFileLimitUpToACeiling() {
        assertThat(ConnectionLimits.defaultMax(1024)).isEqualTo(256);
        assertThat(ConnectionLimits.defaultMax(20_000)).isEqualTo(5000);
        assertThat(ConnectionLimits.defaultMax(1_048_576)).isEqualTo(ConnectionLimits.DEFAULT_MAX_CEILING);
        assertThat(ConnectionLimits.defaultMax(2)).isEqualTo(1);
    }

    @Test
    void defaultsFollowThisProcesssLimit() {
        ConnectionLimits limits = ConnectionLimits.defaults();
        assertThat(limits.max()).isEqualTo(ConnectionLimits.defaultMax(ConnectionLimits.openFileLimit()));
        assertThat(limits.perClient()).isEqualTo(Math.max(1, limits.max() / 4));
        assertThat(limits.idleTimeout()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void badValuesNameTheFieldAndWhatIsAllowed() {
        long half = ConnectionLimits.openFileLimit() / 2;
        assertThatThrownBy(() -> new ConnectionLimits(0, null, null)).isInstanceOf(InvalidValueException.class)
                .hasMessage("max: \"0\" is not allowed (allowed: 1 to " + half + ": at most half of this process's "
                        + "open-file limit (" + ConnectionLimits.openFileLimit() + "), the rest is kept for storage "
                        + "and logs; raise LimitNOFILE to allow more)");
        assertThatThrownBy(() -> new ConnectionLimits((int) half + 1, null, null))
                .hasMessageStartingWith("max: \"" + (half + 1) + "\" is not allowed");
        assertThatThrownBy(() -> new ConnectionLimits(100, 101, null))
                .hasMessage("perClient: \"101\" is not allowed (allowed: 1 to max (100))");
        assertThatThrownBy(() -> new ConnectionLimits(100, 0, null)).hasMessageStartingWith("perClient: \"0\"");
        assertThatThrownBy(() -> new ConnectionLimits(null, null, Duration.ofMillis(10)))
                .hasMessage("idleTimeout: \"10ms\" is not allowed (allowed: from 100ms to 1h)");
        assertThatThrownBy(() -> new ConnectionLimits(null, null, Duration.ofHours(2)))
                .hasMessageStartingWith("idleTimeout: \"2h\"");
    }
}
