package dev.vigil.gpu.fields;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class FieldCatalogTest {
    /** DCGM field ids and classic names, transcribed from reference/gpu-telemetry.md §3.8. */
    private static final Map<Integer, String> REFERENCE_IDS = Map.ofEntries(
            Map.entry(1, "DRIVER_VERSION"), Map.entry(100, "DEV_SM_CLOCK"), Map.entry(101, "DEV_MEM_CLOCK"),
            Map.entry(112, "DEV_CLOCKS_EVENT_REASONS"), Map.entry(140, "DEV_MEMORY_TEMP"),
            Map.entry(150, "DEV_GPU_TEMP"), Map.entry(155, "DEV_POWER_USAGE"),
            Map.entry(156, "DEV_TOTAL_ENERGY_CONSUMPTION"), Map.entry(164, "DEV_ENFORCED_POWER_LIMIT"),
            Map.entry(202, "DEV_PCIE_REPLAY_COUNTER"), Map.entry(203, "DEV_GPU_UTIL"),
            Map.entry(204, "DEV_MEM_COPY_UTIL"), Map.entry(206, "DEV_ENC_UTIL"), Map.entry(207, "DEV_DEC_UTIL"),
            Map.entry(230, "DEV_XID_ERRORS"), Map.entry(240, "DEV_POWER_VIOLATION"),
            Map.entry(241, "DEV_THERMAL_VIOLATION"), Map.entry(242, "DEV_SYNC_BOOST_VIOLATION"),
            Map.entry(243, "DEV_BOARD_LIMIT_VIOLATION"), Map.entry(244, "DEV_LOW_UTIL_VIOLATION"),
            Map.entry(245, "DEV_RELIABILITY_VIOLATION"), Map.entry(250, "DEV_FB_TOTAL"),
            Map.entry(251, "DEV_FB_FREE"), Map.entry(252, "DEV_FB_USED"), Map.entry(253, "DEV_FB_RESERVED"),
            Map.entry(310, "DEV_ECC_SBE_VOL_TOTAL"), Map.entry(311, "DEV_ECC_DBE_VOL_TOTAL"),
            Map.entry(312, "DEV_ECC_SBE_AGG_TOTAL"), Map.entry(313, "DEV_ECC_DBE_AGG_TOTAL"),
            Map.entry(390, "DEV_RETIRED_SBE"), Map.entry(391, "DEV_RETIRED_DBE"),
            Map.entry(392, "DEV_RETIRED_PENDING"), Map.entry(393, "DEV_UNCORRECTABLE_REMAPPED_ROWS"),
            Map.entry(394, "DEV_CORRECTABLE_REMAPPED_ROWS"), Map.entry(395, "DEV_ROW_REMAP_FAILURE"),
            Map.entry(396, "DEV_ROW_REMAP_PENDING"), Map.entry(409, "DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL"),
            Map.entry(419, "DEV_NVLINK_CRC_DATA_ERROR_COUNT_TOTAL"),
            Map.entry(429, "DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL"),
            Map.entry(439, "DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL"), Map.entry(449, "DEV_NVLINK_BANDWIDTH_TOTAL"),
            Map.entry(526, "DEV_VGPU_LICENSE_STATUS"), Map.entry(1001, "PROF_GR_ENGINE_ACTIVE"),
            Map.entry(1002, "PROF_SM_ACTIVE"), Map.entry(1003, "PROF_SM_OCCUPANCY"),
            Map.entry(1004, "PROF_PIPE_TENSOR_ACTIVE"), Map.entry(1005, "PROF_DRAM_ACTIVE"),
            Map.entry(1006, "PROF_PIPE_FP64_ACTIVE"), Map.entry(1007, "PROF_PIPE_FP32_ACTIVE"),
            Map.entry(1008, "PROF_PIPE_FP16_ACTIVE"), Map.entry(1009, "PROF_PCIE_TX_BYTES"),
            Map.entry(1010, "PROF_PCIE_RX_BYTES"), Map.entry(1011, "PROF_NVLINK_TX_BYTES"),
            Map.entry(1012, "PROF_NVLINK_RX_BYTES"), Map.entry(1523, "DEV_GPU_RECOVERY_ACTION"));

    /** dcgm-exporter's enabled default counters and their CSV types (reference §1.1). */
    private static final Map<String, MetricType> EXPORTER_DEFAULTS = Map.ofEntries(
            Map.entry("DCGM_FI_DEV_SM_CLOCK", MetricType.GAUGE), Map.entry("DCGM_FI_DEV_MEM_CLOCK", MetricType.GAUGE),
            Map.entry("DCGM_FI_DEV_MEMORY_TEMP", MetricType.GAUGE), Map.entry("DCGM_FI_DEV_GPU_TEMP", MetricType.GAUGE),
            Map.entry("DCGM_FI_DEV_POWER_USAGE", MetricType.GAUGE),
            Map.entry("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", MetricType.COUNTER),
            Map.entry("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", MetricType.COUNTER),
            Map.entry("DCGM_FI_DEV_GPU_UTIL", MetricType.GAUGE), Map.entry("DCGM_FI_DEV_MEM_COPY_UTIL", MetricType.GAUGE),
            Map.entry("DCGM_FI_DEV_ENC_UTIL", MetricType.GAUGE), Map.entry("DCGM_FI_DEV_DEC_UTIL", MetricType.GAUGE),
            Map.entry("DCGM_FI_DEV_XID_ERRORS", MetricType.GAUGE), Map.entry("DCGM_FI_DEV_FB_FREE", MetricType.GAUGE),
            Map.entry("DCGM_FI_DEV_FB_USED", MetricType.GAUGE), Map.entry("DCGM_FI_DEV_FB_RESERVED", MetricType.GAUGE),
            Map.entry("DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", MetricType.COUNTER),
            Map.entry("DCGM_FI_DEV_VGPU_LICENSE_STATUS", MetricType.GAUGE),
            Map.entry("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", MetricType.COUNTER),
            Map.entry("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", MetricType.COUNTER),
            Map.entry("DCGM_FI_DEV_ROW_REMAP_FAILURE", MetricType.GAUGE),
            Map.entry("DCGM_FI_DRIVER_VERSION", MetricType.LABEL),
            Map.entry("DCGM_FI_PROF_GR_ENGINE_ACTIVE", MetricType.GAUGE),
            Map.entry("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", MetricType.GAUGE),
            Map.entry("DCGM_FI_PROF_DRAM_ACTIVE", MetricType.GAUGE),
            Map.entry("DCGM_FI_PROF_PCIE_TX_BYTES", MetricType.GAUGE),
            Map.entry("DCGM_FI_PROF_PCIE_RX_BYTES", MetricType.GAUGE));

    @Test
    void idsAndNamesMatchTheReference() {
        assertThat(FieldCatalog.ALL).hasSameSizeAs(REFERENCE_IDS.keySet());
        REFERENCE_IDS.forEach((id, name) -> assertThat(FieldCatalog.byId(id))
                .as("field id %d", id).hasValueSatisfying(f -> assertThat(f.name()).isEqualTo("DCGM_FI_" + name)));
    }

    @Test
    void dcgmExporterDefaultsAreExactlyItsCsvWithItsTypes() {
        assertThat(FieldCatalog.DCGM_EXPORTER_DEFAULTS).extracting(Field::name)
                .containsExactlyInAnyOrderElementsOf(EXPORTER_DEFAULTS.keySet());
        for (Field field : FieldCatalog.DCGM_EXPORTER_DEFAULTS) {
            assertThat(field.type()).as(field.name()).isEqualTo(EXPORTER_DEFAULTS.get(field.name()));
        }
    }

    @Test
    void vigilDefaultsAddTheHealthSignalsDcgmExporterLeavesOff() {
        assertThat(FieldCatalog.DEFAULTS).containsAll(FieldCatalog.DCGM_EXPORTER_DEFAULTS).contains(
                FieldCatalog.ECC_SBE_VOL_TOTAL, FieldCatalog.ECC_DBE_VOL_TOTAL, FieldCatalog.ECC_SBE_AGG_TOTAL,
                FieldCatalog.ECC_DBE_AGG_TOTAL, FieldCatalog.RETIRED_SBE, FieldCatalog.RETIRED_DBE,
                FieldCatalog.RETIRED_PENDING, FieldCatalog.NVLINK_CRC_FLIT_ERRORS, FieldCatalog.NVLINK_CRC_DATA_ERRORS,
                FieldCatalog.NVLINK_REPLAY_ERRORS, FieldCatalog.NVLINK_RECOVERY_ERRORS, FieldCatalog.POWER_VIOLATION,
                FieldCatalog.THERMAL_VIOLATION, FieldCatalog.CLOCKS_EVENT_REASONS, FieldCatalog.PROF_SM_ACTIVE,
                FieldCatalog.PROF_SM_OCCUPANCY);
        assertThat(FieldCatalog.DEFAULTS).isSortedAccordingTo((a, b) -> Integer.compare(a.id(), b.id()));
    }

    @Test
    void everyFieldIsUniqueAndDocumented() {
        Set<Integer> ids = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (Field field : FieldCatalog.ALL) {
            assertThat(ids.add(field.id())).as("duplicate id %d", field.id()).isTrue();
            assertThat(names.add(field.name())).as("duplicate name %s", field.name()).isTrue();
            assertThat(field.name()).matches("DCGM_FI_[A-Z0-9_]+");
            assertThat(field.help()).as(field.name()).isNotBlank().endsWith(".");
            assertThat(field.unit()).isIn("", "MHz", "C", "W", "mJ", "MiB", "%", "ratio", "ns", "B/s", "count");
        }
    }

    @Test
    void onlyProfilingAndFramebufferFieldsArePerMigInstance() {
        for (Field field : FieldCatalog.ALL) {
            boolean expected = field.name().startsWith("DCGM_FI_PROF_") && !field.name().contains("PCIE")
                    && !field.name().contains("NVLINK") || field.name().startsWith("DCGM_FI_DEV_FB_");
            assertThat(field.perMigInstance()).as(field.name()).isEqualTo(expected);
        }
    }

    @Test
    void fieldSetGivesEachSampledFieldASlotAndSkipsLabels() {
        FieldSet set = new FieldSet(List.of(FieldCatalog.DRIVER_VERSION, FieldCatalog.GPU_TEMP, FieldCatalog.POWER_USAGE,
                FieldCatalog.GPU_TEMP));
        assertThat(set.size()).isEqualTo(2);
        assertThat(set.slot(FieldCatalog.GPU_TEMP)).isZero();
        assertThat(set.slot(FieldCatalog.POWER_USAGE)).isEqualTo(1);
        assertThat(set.slot(FieldCatalog.DRIVER_VERSION)).isEqualTo(-1);
        assertThat(set.slot(FieldCatalog.GPU_RECOVERY_ACTION)).isEqualTo(-1);
    }
}
