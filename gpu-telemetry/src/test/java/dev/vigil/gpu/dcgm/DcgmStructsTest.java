package dev.vigil.gpu.dcgm;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JNA layouts against the C compiler's (the fake declares the structs with DCGM's ABI) and
 * against the sizes measured from DCGM 4.6.0's headers: a byte off and DCGM answers VER_MISMATCH
 * or writes past a buffer.
 */
class DcgmStructsTest {
    private static FakeDcgm fake;

    @BeforeAll
    static void loadFake() {
        fake = FakeDcgm.load();
    }

    /** C name → a JNA instance of it. */
    private static Map<String, DcgmStructs.Layout> layouts() {
        Map<String, DcgmStructs.Layout> layouts = new LinkedHashMap<>();
        layouts.put("dcgmGroupEntityPair_t", new DcgmStructs.GroupEntityPair());
        layouts.put("dcgmFieldValue_v1", new DcgmStructs.FieldValueV1());
        layouts.put("dcgmFieldValue_v2", new DcgmStructs.FieldValueV2());
        layouts.put("dcgmConnectV2Params_v2", new DcgmStructs.ConnectV2Params());
        layouts.put("dcgmMigEntityInfo_t", new DcgmStructs.MigEntityInfo());
        layouts.put("dcgmMigHierarchyInfo_v2", new DcgmStructs.MigHierarchyInfoV2());
        layouts.put("dcgmMigHierarchy_v2", new DcgmStructs.MigHierarchyV2());
        layouts.put("dcgmDiagErrorDetail_t", new DcgmStructs.DiagErrorDetail());
        layouts.put("dcgmIncidentInfo_t", new DcgmStructs.HealthIncident());
        layouts.put("dcgmHealthResponse_v5", new DcgmStructs.HealthResponseV5());
        return layouts;
    }

    @Test
    void sizesAreTheMeasuredOnesInJnaAndInC() {
        Map<String, Integer> measured = Map.of("dcgmFieldValue_v1", 4120, "dcgmFieldValue_v2", 4128,
                "dcgmConnectV2Params_v2", 16, "dcgmMigHierarchy_v2", 73480, "dcgmHealthResponse_v5", 1069068,
                "dcgmGroupEntityPair_t", 8, "dcgmMigHierarchyInfo_v2", 164, "dcgmIncidentInfo_t", 1044);
        layouts().forEach((name, layout) -> {
            assertThat((long) layout.size()).as("JNA vs C sizeof %s", name).isEqualTo(fake.fake_dcgm_sizeof(name));
            if (measured.containsKey(name)) {
                assertThat(layout.size()).as("sizeof %s", name).isEqualTo(measured.get(name));
            }
        });
        assertThat(DcgmStructs.VALUE_V1_SIZE).isEqualTo(4120);
        assertThat(DcgmStructs.VALUE_V2_SIZE).isEqualTo(4128);
        assertThat(DcgmStructs.HIERARCHY_SIZE).isEqualTo(73480);
        assertThat(DcgmStructs.HEALTH_RESPONSE_SIZE).isEqualTo(1069068);
    }

    @Test
    void everyMemberIsWhereTheCompilerPutsIt() {
        layouts().forEach((name, layout) -> {
            assertThat(layout.fieldNames()).isNotEmpty();
            for (String member : layout.fieldNames()) {
                assertThat((long) layout.offsetOf(member)).as("offsetof(%s, %s)", name, member)
                        .isEqualTo(fake.fake_dcgm_offsetof(name, member));
            }
        });
    }

    @Test
    void versionsAreMakeDcgmVersionOfTheSize() {
        assertThat(DcgmStructs.VALUE_V1_VERSION).isEqualTo(0x01001018)
                .isEqualTo(fake.fake_dcgm_version("dcgmFieldValue_v1"));
        assertThat(DcgmStructs.VALUE_V2_VERSION).isEqualTo(0x02001020)
                .isEqualTo(fake.fake_dcgm_version("dcgmFieldValue_v2"));
        assertThat(DcgmStructs.CONNECT_PARAMS_VERSION).isEqualTo(0x02000010)
                .isEqualTo(fake.fake_dcgm_version("dcgmConnectV2Params_v2"));
        assertThat(DcgmStructs.HIERARCHY_VERSION).isEqualTo(0x02011F08)
                .isEqualTo(fake.fake_dcgm_version("dcgmMigHierarchy_v2"));
        assertThat(DcgmStructs.HEALTH_RESPONSE_VERSION).isEqualTo(0x0510500C)
                .isEqualTo(fake.fake_dcgm_version("dcgmHealthResponse_v5"));
    }

    /** The offsets the sampling, XID and health paths read raw buffers at (reference section 3.6). */
    @Test
    void hotPathOffsetsAreTheDocumentedOnes() {
        assertThat(new int[] {DcgmStructs.VALUE_V1_FIELD_ID, DcgmStructs.VALUE_V1_FIELD_TYPE, DcgmStructs.VALUE_V1_STATUS,
                DcgmStructs.VALUE_V1_TS, DcgmStructs.VALUE_V1_VALUE}).containsExactly(4, 6, 8, 16, 24);
        assertThat(new int[] {DcgmStructs.VALUE_V2_ENTITY_GROUP, DcgmStructs.VALUE_V2_ENTITY_ID,
                DcgmStructs.VALUE_V2_FIELD_ID, DcgmStructs.VALUE_V2_FIELD_TYPE, DcgmStructs.VALUE_V2_STATUS,
                DcgmStructs.VALUE_V2_TS, DcgmStructs.VALUE_V2_VALUE}).containsExactly(4, 8, 12, 14, 16, 24, 32);
        assertThat((long) DcgmStructs.HIERARCHY_INFO_INSTANCE_ID).isEqualTo(
                fake.fake_dcgm_offsetof("dcgmMigHierarchyInfo_v2", "info")
                        + fake.fake_dcgm_offsetof("dcgmMigEntityInfo_t", "nvmlInstanceId"));
        assertThat((long) DcgmStructs.INCIDENT_CODE).isEqualTo(fake.fake_dcgm_offsetof("dcgmIncidentInfo_t", "error")
                + fake.fake_dcgm_offsetof("dcgmDiagErrorDetail_t", "code"));
        assertThat((long) DcgmStructs.HEALTH_INCIDENTS)
                .isEqualTo(fake.fake_dcgm_offsetof("dcgmHealthResponse_v5", "incidents"));
        assertThat((long) DcgmStructs.HIERARCHY_ENTRIES)
                .isEqualTo(fake.fake_dcgm_offsetof("dcgmMigHierarchy_v2", "entityList"));
    }
}
