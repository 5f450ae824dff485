package dev.vigil.controller.leader;

import dev.vigil.api.cluster.AuditEntry;
import dev.vigil.api.cluster.Role;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class CallerTest {
    private static final Instant AT = Instant.parse("2026-12-06T00:00:00Z");

    @Test
    void theAuditEntryNamesWhoAskedWhatAndWhatItCameTo() {
        Caller caller = new Caller("alice", Role.OPERATOR, "10.0.0.7", "member-1", "POST /v1/nodes/gpu-1/cordon", "r-1");

        assertThat(caller.audited(AT, "bad fan", 200, "cordoned")).isEqualTo(new AuditEntry(0, AT, "alice", "operator",
                "10.0.0.7", "POST /v1/nodes/gpu-1/cordon", "bad fan", 200, "cordoned"));
    }

    @Test
    void aCallerWithoutRoleIsAuditedWithoutOne() {
        Caller caller = new Caller("health-reflex", null, null, "member-1", "cordon", "r-2");

        assertThat(caller.audited(AT, null, 200, "ok").role()).isNull();
    }
}
