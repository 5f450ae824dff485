package dev.vigil.controller.leader;

import dev.vigil.api.cluster.Role;
import dev.vigil.controller.state.TokenRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TokensTest {
    private static final Instant NOW = Instant.parse("2026-12-06T00:00:00Z");
    private static final String TOKEN = "vgl_0123456789_abcdefghijklmnopqrstuvwxyz";

    @Test
    void aTokensRecordKeepsItsIdAndTheSha256OfTheWholeToken() {
        TokenRecord record = Tokens.record(TOKEN, "ci", Role.SUBMITTER, NOW).orElseThrow();

        assertThat(record).isEqualTo(new TokenRecord("0123456789", "ci", Role.SUBMITTER,
                "a36e9d5d6ab337acca824916b06b59029d6c9bd41f8f6c219b8f139fa7fb90b8", NOW));
    }

    @Test
    void aMalformedTokenHasNoRecord() {
        assertThat(Tokens.record(null, "ci", Role.VIEWER, NOW)).isEmpty();
        assertThat(Tokens.record("xyz_0123456789_abcdefghijklmnopqrstuvwxyz", "ci", Role.VIEWER, NOW)).isEmpty();
        assertThat(Tokens.record("vgl_012345678_abcdefghijklmnopqrstuvwxyz", "ci", Role.VIEWER, NOW)).isEmpty();
        assertThat(Tokens.record("vgl_0123456789_abcdefghijklmnopqrs", "ci", Role.VIEWER, NOW)).isEmpty();
        assertThat(Tokens.record("vgl_0123456789_abcdefghijklmnopqrst", "ci", Role.VIEWER, NOW)).isPresent();
        assertThat(Tokens.record(TOKEN + "=", "ci", Role.VIEWER, NOW)).isEmpty();
        assertThat(Tokens.record("vgl_012345678A_abcdefghijklmnopqrstuvwxyz", "ci", Role.VIEWER, NOW)).isEmpty();
    }

    @Test
    void anIssuedTokenIsWellFormedAndItsRecordIsTheOneItWouldHave() {
        Tokens.Issued issued = new Tokens().issue("ci", Role.OPERATOR, NOW);

        assertThat(issued.secret()).matches("vgl_[0-9a-f]{10}_[A-Za-z0-9_-]{43}");
        assertThat(issued.record()).isEqualTo(Tokens.record(issued.secret(), "ci", Role.OPERATOR, NOW).orElseThrow());
        assertThat(issued.record().id()).isEqualTo(issued.secret().substring(4, 14));
    }

    /** Both the id and the secret are random: the same id twice would name two tokens. */
    @Test
    void twoIssuedTokensHaveDifferentIdsAndSecrets() {
        Tokens tokens = new Tokens();
        String[] first = tokens.issue("a", Role.VIEWER, NOW).secret().split("_", 3);
        String[] second = tokens.issue("a", Role.VIEWER, NOW).secret().split("_", 3);

        assertThat(first[1]).isNotEqualTo(second[1]);
        assertThat(first[2]).isNotEqualTo(second[2]);
    }
}
