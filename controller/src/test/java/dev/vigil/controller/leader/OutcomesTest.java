package dev.vigil.controller.leader;

import dev.vigil.api.Problem;
import dev.vigil.controller.state.TokenRecord;
import dev.vigil.api.cluster.Role;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class OutcomesTest {
    @Test
    void aValueCrossesAsJsonAndReadsBackAsItWas() {
        TokenRecord token = new TokenRecord("0123456789", "ci", Role.ADMIN, "ab", Instant.parse("2026-12-06T00:00:00Z"));

        Outcome outcome = Outcomes.value(token);

        assertThat(outcome.problem()).isNull();
        assertThat(outcome.value().get("name").asText()).isEqualTo("ci");
        assertThat(Outcomes.value(outcome, TokenRecord.class)).isEqualTo(token);
    }

    @Test
    void noValueStaysNone() {
        Outcome outcome = Outcomes.value(null);

        assertThat(outcome).isEqualTo(new Outcome(null, null));
        assertThat(Outcomes.value(outcome, TokenRecord.class)).isNull();
    }

    @Test
    void aProblemCarriesNoValue() {
        Problem problem = new Problem("/problems/not-found", "Not Found", 404, "no such node", null, null, null, null);

        assertThat(Outcomes.problem(problem)).isEqualTo(new Outcome(null, problem));
    }
}
