package dev.vigil.gpu.xid;

import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class XidCatalogTest {
    /** The catalog's immediate actions (reference §6.1) in Vigil's buckets. */
    @ParameterizedTest(name = "XID {0} -> {1}")
    @CsvSource({
            "13, RESTART_APP", "31, RESTART_APP", "32, RESTART_APP", "43, NONE", "45, NONE", "46, RESET_GPU",
            "48, RESET_GPU", "62, RESET_GPU", "63, NONE", "64, RESET_GPU", "68, RESTART_APP", "69, RESTART_APP",
            "74, CHECK_NVLINK", "79, POWER_CYCLE", "92, NONE", "94, RESTART_APP", "95, RESET_GPU",
            "109, RESET_GPU", "119, RESET_GPU", "120, RESET_GPU", "121, NONE", "136, RESET_GPU",
            "140, RESET_GPU", "143, RESET_GPU", "144, CHECK_NVLINK", "150, CHECK_NVLINK", "154, NONE",
            "155, RESET_GPU", "156, RESET_GPU", "158, RESET_GPU"})
    void actionsFollowTheCatalog(int code, RepairAction action) {
        assertThat(XidCatalog.isKnown(code)).isTrue();
        assertThat(XidCatalog.lookup(code).action()).isEqualTo(action);
    }

    @Test
    void healthFollowsTheAction() {
        assertThat(XidCatalog.lookup(79).health()).isEqualTo(HealthState.FAILED);
        assertThat(XidCatalog.lookup(48).health()).isEqualTo(HealthState.FAILED);
        assertThat(XidCatalog.lookup(74).health()).isEqualTo(HealthState.DEGRADED);
        assertThat(XidCatalog.lookup(13).health()).as("an application fault says nothing about the GPU")
                .isEqualTo(HealthState.HEALTHY);
        assertThat(XidCatalog.lookup(63).health()).isEqualTo(HealthState.HEALTHY);
    }

    @Test
    void fatalXidsAreCriticalAndApplicationFaultsWarnings() {
        for (Xid xid : XidCatalog.all()) {
            if (xid.action().takesGpuOutOfService()) {
                assertThat(xid.severity()).as("XID %d", xid.code()).isEqualTo(Severity.CRITICAL);
            }
            if (xid.action() == RepairAction.RESTART_APP) {
                assertThat(xid.severity()).as("XID %d", xid.code()).isEqualTo(Severity.WARNING);
            }
            assertThat(xid.mnemonic()).matches("[A-Z0-9_]+");
            assertThat(xid.meaning()).isNotBlank();
        }
    }

    @Test
    void anUnknownXidIsVisibleButNeverTakesAGpuOutOfService() {
        Xid unknown = XidCatalog.lookup(999);
        assertThat(XidCatalog.isKnown(999)).isFalse();
        assertThat(unknown.severity()).isEqualTo(Severity.WARNING);
        assertThat(unknown.action()).isEqualTo(RepairAction.NONE);
        assertThat(unknown.health()).isEqualTo(HealthState.HEALTHY);
        assertThat(unknown.meaning()).contains("999");
    }

    @Test
    void eventsCarryTheCatalogFacts() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        GpuEvent event = XidCatalog.lookup(79).event(now, 3, "GPU-x", null, null);
        assertThat(event.kind()).isEqualTo(GpuEvent.Kind.XID);
        assertThat(event.xid()).isEqualTo(79);
        assertThat(event.action()).isEqualTo(RepairAction.POWER_CYCLE);
        assertThat(event.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(event.message()).isEqualTo("XID 79 GPU_HAS_FALLEN_OFF_THE_BUS: GPU has fallen off the bus: unreachable on PCIe");
    }
}
