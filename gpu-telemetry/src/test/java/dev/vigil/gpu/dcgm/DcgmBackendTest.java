package dev.vigil.gpu.dcgm;

import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.HealthReason;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.gpu.backend.EntitySample;
import dev.vigil.gpu.backend.FieldStatus;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.backend.GpuBackendException.Reason;
import dev.vigil.gpu.backend.NodeSample;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.fields.MetricType;
import dev.vigil.gpu.mig.MigPlacement;
import dev.vigil.testsupport.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The DCGM backend through its real JNA binding against the fake libdcgm.so.4
 * (src/test/c/fake_dcgm.c). The fake's GPU with DCGM id {@code g} is the companion's index
 * {@code 7 - g}, so everything here also checks the mapping by UUID.
 */
class DcgmBackendTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final int GPUS = 8;
    private static final FieldSet ALL = new FieldSet(FieldCatalog.ALL);
    private static final int MEM = 0x10;
    private static final int NVLINK = 0x2;
    private static final int PCIE = 0x1;
    private static final int INFOROM = 0x40;
    private static final int THERMAL = 0x80;
    private static final int WARN = 10;
    private static final int FAIL = 20;
    private static final int CONNECTION_NOT_VALID = -21;
    private static final Set<Integer> DOUBLE_FIELDS = Set.of(155, 164, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008);

    private static FakeDcgm fake;

    private final MutableClock clock = new MutableClock(T0);
    private final List<DcgmBackend> opened = new ArrayList<>();

    @BeforeAll
    static void loadFake() {
        fake = FakeDcgm.load();
    }

    @BeforeEach
    void freshEngine() {
        fake.fake_dcgm_reset(GPUS);
    }

    @AfterEach
    void closeBackends() {
        opened.forEach(DcgmBackend::close);
    }

    private static DcgmSettings embedded() {
        return new DcgmSettings(List.of(FakeDcgm.path().toString()), DcgmSettings.Mode.EMBEDDED, null, null);
    }

    private static DcgmSettings remote(String address, Duration timeout) {
        return new DcgmSettings(List.of(FakeDcgm.path().toString()), DcgmSettings.Mode.REMOTE, address, timeout);
    }

    private DcgmBackend open(DcgmSettings settings, GpuBackend companion, Duration interval) throws GpuBackendException {
        DcgmBackend backend = DcgmBackend.open("node-1", settings, clock, companion, interval);
        opened.add(backend);
        return backend;
    }

    private DcgmBackend open() throws GpuBackendException {
        return open(embedded(), StubCompanion.of(fake, GPUS), Duration.ofSeconds(1));
    }

    private GpuBackendException openFails(DcgmSettings settings, GpuBackend companion) {
        try {
            open(settings, companion, Duration.ofSeconds(1));
        } catch (GpuBackendException e) {
            return e;
        }
        throw new AssertionError("open succeeded");
    }

    private static GpuBackendException sampleFails(DcgmBackend backend, FieldSet fields) {
        try {
            backend.sample(fields);
        } catch (GpuBackendException e) {
            return e;
        }
        throw new AssertionError("sample succeeded");
    }

    private static int index(int dcgmId) {
        return StubCompanion.index(GPUS, dcgmId);
    }

    private static int slot(Field field) {
        return ALL.slot(field);
    }

    private static short id(Field field) {
        return (short) field.id();
    }

    private static void addMig() {
        // DCGM GPU 1: GPU instances 10 (NVML GI 1) and 11 (GI 2); compute instances 20 and 21 (CI 0 of each).
        assertThat(fake.fake_dcgm_add_gpu_instance(1, 10, 1, 9, 4)).isZero();
        assertThat(fake.fake_dcgm_add_gpu_instance(1, 11, 2, 9, 4)).isZero();
        assertThat(fake.fake_dcgm_add_compute_instance(10, 20, 0)).isZero();
        assertThat(fake.fake_dcgm_add_compute_instance(11, 21, 0)).isZero();
    }

    private static Instant fromMicros(long us) {
        return Instant.ofEpochSecond(us / 1_000_000, us % 1_000_000 * 1000);
    }

    // ---- open ----------------------------------------------------------------------------------

    @Test
    void noLoadableLibraryIsLibraryMissingNamingEachTriedWithTheLoadersReason() {
        DcgmSettings settings = new DcgmSettings(List.of("/nonexistent/a/libdcgm.so.4", "/nonexistent/b/libdcgm.so.3"),
                null, null, null);
        GpuBackendException e = openFails(settings, StubCompanion.of(fake, GPUS));
        assertThat(e.reason()).isEqualTo(Reason.LIBRARY_MISSING);
        assertThat(e.getMessage())
                .contains("/nonexistent/a/libdcgm.so.4 (cannot open shared object file: No such file or directory)")
                .contains("/nonexistent/b/libdcgm.so.3 (cannot open shared object file: No such file or directory)");
    }

    @Test
    void librariesAreTriedInOrderUntilOneLoads() throws Exception {
        DcgmSettings settings = new DcgmSettings(List.of("/nonexistent/libdcgm.so.4", FakeDcgm.path().toString()),
                null, null, null);
        DcgmBackend backend = open(settings, StubCompanion.of(fake, GPUS), Duration.ofSeconds(1));
        assertThat(backend.name()).isEqualTo("dcgm");
        assertThat(fake.fake_dcgm_calls("dcgmInit")).isEqualTo(1);
    }

    @Test
    void initFailureIsADriverErrorWithDcgmsText() {
        fake.fake_dcgm_fail_next("dcgmInit", 1, -7);
        GpuBackendException e = openFails(embedded(), StubCompanion.of(fake, GPUS));
        assertThat(e.reason()).isEqualTo(Reason.DRIVER_ERROR);
        assertThat(e.getMessage()).contains("cannot initialize DCGM").contains(fake.errorString(-7))
                .contains("DCGM error -7");
    }

    @Test
    void embeddedStartFailureKeepsDcgmsReasonAndText() {
        fake.fake_dcgm_fail_next("dcgmStartEmbedded", 1, -29);
        GpuBackendException e = openFails(embedded(), StubCompanion.of(fake, GPUS));
        assertThat(e.reason()).isEqualTo(Reason.NO_PERMISSION);
        assertThat(e.getMessage()).contains("embedded DCGM host engine").contains(fake.errorString(-29));
        assertThat(fake.fake_dcgm_calls("dcgmShutdown")).isEqualTo(1);
    }

    @Test
    void unreachableHostEngineNamesTheAddressAndReleasesEverything() {
        fake.fake_dcgm_fail_next("dcgmConnect_v2", 1, CONNECTION_NOT_VALID);
        GpuBackendException e = openFails(remote("gpuhost:5555", null), StubCompanion.of(fake, GPUS));
        assertThat(e.reason()).isEqualTo(Reason.CONNECTION_LOST);
        assertThat(e.getMessage()).contains("nv-hostengine at gpuhost:5555")
                .contains(fake.errorString(CONNECTION_NOT_VALID));
        assertThat(fake.fake_dcgm_live("connections")).isZero();
        assertThat(fake.fake_dcgm_calls("dcgmShutdown")).isEqualTo(1);
    }

    @Test
    void embeddedModeStartsTheEngineInAutoMode() throws Exception {
        open();
        assertThat(fake.fake_dcgm_last_embedded_mode()).isEqualTo(1);
        assertThat(fake.fake_dcgm_calls("dcgmConnect_v2")).isZero();
        assertThat(fake.fake_dcgm_live("connections")).isEqualTo(1);
    }

    @Test
    void remoteModeConnectsToTheAddressWithTheTimeout() throws Exception {
        open(remote("gpuhost:5555", Duration.ofMillis(2500)), StubCompanion.of(fake, GPUS), Duration.ofSeconds(1));
        byte[] address = new byte[256];
        int[] params = new int[4];
        assertThat(fake.fake_dcgm_last_connect(address, address.length, params)).isEqualTo(1);
        assertThat(cString(address)).isEqualTo("gpuhost:5555");
        assertThat(params).containsExactly(0x02000010, 0, 2500, 0);
        assertThat(fake.fake_dcgm_calls("dcgmStartEmbedded")).isZero();
    }

    @Test
    void aUnixSocketAddressIsPassedAsAPathWithTheSocketFlag() throws Exception {
        open(remote("unix:///run/nvidia-dcgm/nv-hostengine.sock", null), StubCompanion.of(fake, GPUS),
                Duration.ofSeconds(1));
        byte[] address = new byte[256];
        int[] params = new int[4];
        fake.fake_dcgm_last_connect(address, address.length, params);
        assertThat(cString(address)).isEqualTo("/run/nvidia-dcgm/nv-hostengine.sock");
        assertThat(params).containsExactly(0x02000010, 0, 5000, 1);
    }

    @Test
    void noGpuIsNoGpus() {
        fake.fake_dcgm_reset(0);
        GpuBackendException e = openFails(embedded(), StubCompanion.of(fake, 0));
        assertThat(e.reason()).isEqualTo(Reason.NO_GPUS);
        assertThat(fake.fake_dcgm_live("connections")).isZero();
    }

    @Test
    void aDcgmGpuTheCompanionLacksIsADriverErrorNamingIt() {
        List<Integer> withoutThree = IntStream.range(0, GPUS).filter(g -> g != 3).boxed().toList();
        GpuBackendException e = openFails(embedded(), StubCompanion.of(fake, GPUS, withoutThree));
        assertThat(e.reason()).isEqualTo(Reason.DRIVER_ERROR);
        assertThat(e.getMessage()).contains("DCGM GPU 3").contains(fake.uuid(3)).contains("nvml");
        assertThat(fake.fake_dcgm_live("groups")).isZero();
        assertThat(fake.fake_dcgm_live("connections")).isZero();
    }

    @Test
    void inventoryIsTheCompanionsUnderDcgmsName() throws Exception {
        StubCompanion companion = StubCompanion.of(fake, GPUS);
        DcgmBackend backend = open(embedded(), companion, Duration.ofSeconds(1));
        assertThat(backend.inventory().backend()).isEqualTo("dcgm");
        assertThat(backend.inventory().gpus()).isEqualTo(companion.inventory().gpus());
        assertThat(backend.processes(2)).isEqualTo(companion.processes(2));
    }

    // ---- watches -------------------------------------------------------------------------------

    @Test
    void oneFieldGroupWithExactlyTheFieldSetIsWatchedAtTheSamplingInterval() throws Exception {
        DcgmBackend backend = open(embedded(), StubCompanion.of(fake, GPUS), Duration.ofMillis(250));
        backend.sample(ALL);
        List<FakeDcgm.Watch> watches = fake.watches();
        assertThat(watches).hasSize(2);
        assertThat(fake.fake_dcgm_live("field_groups")).isEqualTo(2);
        assertThat(fake.fake_dcgm_live("groups")).isEqualTo(1);
        FakeDcgm.Watch xid = watches.stream().filter(w -> w.fields().length == 1).findFirst().orElseThrow();
        FakeDcgm.Watch sampled = watches.stream().filter(w -> w.fields().length > 1).findFirst().orElseThrow();
        assertThat(xid.fields()).containsExactly((short) 230);
        assertThat(xid.freqUs()).isEqualTo(250_000);
        assertThat(sampled.fields()).containsExactly(LatestValues.fieldIds(ALL));
        assertThat(sampled.freqUs()).isEqualTo(250_000);
        assertThat(fake.fake_dcgm_calls("dcgmWatchFields")).isEqualTo(2);
    }

    @Test
    void theGroupHoldsEveryGpuAndTheHierarchysInstancesWithHealthWatches() throws Exception {
        addMig();
        open();
        List<FakeDcgm.Group> groups = fake.groups();
        assertThat(groups).hasSize(1);
        List<String> expected = new ArrayList<>();
        IntStream.range(0, GPUS).forEach(g -> expected.add("1:" + g));
        expected.addAll(List.of("4:10", "4:11", "5:20", "5:21"));
        assertThat(groups.get(0).entities()).containsExactlyInAnyOrderElementsOf(expected);
        // PCIe, NVLink, memory, InfoROM, thermal, power, driver
        assertThat(groups.get(0).healthSystems()).isEqualTo(0x1 | 0x2 | 0x10 | 0x40 | 0x80 | 0x100 | 0x200);
    }

    @Test
    void anotherFieldSetReplacesTheWatchedFieldGroup() throws Exception {
        DcgmBackend backend = open();
        backend.sample(ALL);
        FieldSet fewer = new FieldSet(List.of(FieldCatalog.GPU_TEMP, FieldCatalog.POWER_USAGE));
        NodeSample sample = backend.sample(fewer);
        assertThat(sample.gpu(0).has(fewer.slot(FieldCatalog.GPU_TEMP))).isTrue();
        assertThat(fake.fake_dcgm_live("field_groups")).isEqualTo(2);
        assertThat(fake.watches()).extracting(w -> w.fields().length).containsExactlyInAnyOrder(1, 2);
        backend.sample(new FieldSet(List.of(FieldCatalog.GPU_TEMP, FieldCatalog.POWER_USAGE)));
        assertThat(fake.fake_dcgm_calls("dcgmWatchFields")).as("the same ids are not watched again").isEqualTo(3);
    }

    @Test
    void moreFieldsThanAFieldGroupTakesIsRefused() throws Exception {
        DcgmBackend backend = open();
        List<Field> many = IntStream.range(2000, 2128)
                .mapToObj(i -> new Field(i, "F" + i, MetricType.GAUGE, "", "", false)).toList();
        GpuBackendException e = sampleFails(backend, new FieldSet(many));
        assertThat(e.reason()).isEqualTo(Reason.NOT_SUPPORTED);
        assertThat(e.getMessage()).contains("127").contains("128");
    }

    // ---- sample --------------------------------------------------------------------------------

    @Test
    void everyValueReachesTheSlotOfItsEntityWhateverTheOrderDcgmAnswersIn() throws Exception {
        for (int g = 0; g < GPUS; g++) {
            for (Field field : ALL.fields()) {
                if (DOUBLE_FIELDS.contains(field.id())) {
                    fake.fake_dcgm_set_double(FakeDcgm.FE_GPU, g, id(field), g * 1000 + field.id() + 0.25);
                } else {
                    fake.fake_dcgm_set_int(FakeDcgm.FE_GPU, g, id(field), g * 100_000L + field.id());
                }
            }
        }
        DcgmBackend backend = open();
        for (int order = 0; order <= 2; order++) {
            fake.fake_dcgm_set_order(order);
            NodeSample sample = backend.sample(ALL);
            assertThat(sample.entities()).extracting(EntitySample::gpu).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
            for (int g = 0; g < GPUS; g++) {
                EntitySample gpu = sample.gpu(index(g));
                for (Field field : ALL.fields()) {
                    double expected = DOUBLE_FIELDS.contains(field.id()) ? g * 1000 + field.id() + 0.25
                            : g * 100_000L + field.id();
                    assertThat(gpu.status(slot(field))).as("order %d gpu %d %s", order, g, field.name())
                            .isEqualTo(FieldStatus.OK);
                    assertThat(gpu.value(slot(field))).as("order %d gpu %d %s", order, g, field.name())
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void valuesChangeFromOneSampleToTheNext() throws Exception {
        DcgmBackend backend = open();
        double first = backend.sample(ALL).gpu(0).value(slot(FieldCatalog.TOTAL_ENERGY));
        double second = backend.sample(ALL).gpu(0).value(slot(FieldCatalog.TOTAL_ENERGY));
        assertThat(second).isGreaterThan(first);
        assertThat(backend.sample(ALL).gpu(0).value(slot(FieldCatalog.POWER_USAGE))).isBetween(100.0, 700.0);
    }

    @Test
    void perValueStatusesMapAndNeverLeakAValue() throws Exception {
        fake.fake_dcgm_set_status(FakeDcgm.FE_GPU, 0, id(FieldCatalog.GPU_TEMP), -6);
        fake.fake_dcgm_set_status(FakeDcgm.FE_GPU, 0, id(FieldCatalog.POWER_USAGE), -14);
        fake.fake_dcgm_set_status(FakeDcgm.FE_GPU, 0, id(FieldCatalog.SM_CLOCK), -15);
        fake.fake_dcgm_set_status(FakeDcgm.FE_GPU, 0, id(FieldCatalog.MEM_CLOCK), -16);
        fake.fake_dcgm_set_status(FakeDcgm.FE_GPU, 0, id(FieldCatalog.PROF_SM_ACTIVE), -17);
        EntitySample gpu = open().sample(ALL).gpu(index(0));
        assertStatus(gpu, FieldCatalog.GPU_TEMP, FieldStatus.NOT_SUPPORTED);
        assertStatus(gpu, FieldCatalog.POWER_USAGE, FieldStatus.NO_DATA);
        assertStatus(gpu, FieldCatalog.SM_CLOCK, FieldStatus.NO_DATA);
        assertStatus(gpu, FieldCatalog.MEM_CLOCK, FieldStatus.NO_DATA);
        assertStatus(gpu, FieldCatalog.PROF_SM_ACTIVE, FieldStatus.NO_PERMISSION);
        assertThat(gpu.has(slot(FieldCatalog.GPU_UTIL))).isTrue();
    }

    @Test
    void blankSentinelsMapAndNeverLeakAValue() throws Exception {
        long blank = 0x7ffffffffffffff0L;
        double fpBlank = 140737488355328.0;
        fake.fake_dcgm_set_int(FakeDcgm.FE_GPU, 1, id(FieldCatalog.ECC_DBE_VOL_TOTAL), blank);
        fake.fake_dcgm_set_int(FakeDcgm.FE_GPU, 1, id(FieldCatalog.RETIRED_SBE), blank + 1);
        fake.fake_dcgm_set_int(FakeDcgm.FE_GPU, 1, id(FieldCatalog.MEMORY_TEMP), blank + 2);
        fake.fake_dcgm_set_int(FakeDcgm.FE_GPU, 1, id(FieldCatalog.PCIE_REPLAY), blank + 3);
        fake.fake_dcgm_set_int(FakeDcgm.FE_GPU, 1, id(FieldCatalog.TOTAL_ENERGY), blank - 1);
        fake.fake_dcgm_set_double(FakeDcgm.FE_GPU, 1, id(FieldCatalog.POWER_USAGE), fpBlank);
        fake.fake_dcgm_set_double(FakeDcgm.FE_GPU, 1, id(FieldCatalog.ENFORCED_POWER_LIMIT), fpBlank + 1);
        fake.fake_dcgm_set_double(FakeDcgm.FE_GPU, 1, id(FieldCatalog.PROF_GR_ENGINE_ACTIVE), fpBlank + 2);
        fake.fake_dcgm_set_double(FakeDcgm.FE_GPU, 1, id(FieldCatalog.PROF_SM_OCCUPANCY), fpBlank + 3);
        EntitySample gpu = open().sample(ALL).gpu(index(1));
        assertStatus(gpu, FieldCatalog.ECC_DBE_VOL_TOTAL, FieldStatus.NO_DATA);
        assertStatus(gpu, FieldCatalog.RETIRED_SBE, FieldStatus.NOT_SUPPORTED);
        assertStatus(gpu, FieldCatalog.MEMORY_TEMP, FieldStatus.NOT_SUPPORTED);
        assertStatus(gpu, FieldCatalog.PCIE_REPLAY, FieldStatus.NO_PERMISSION);
        assertStatus(gpu, FieldCatalog.POWER_USAGE, FieldStatus.NO_DATA);
        assertStatus(gpu, FieldCatalog.ENFORCED_POWER_LIMIT, FieldStatus.NOT_SUPPORTED);
        assertStatus(gpu, FieldCatalog.PROF_GR_ENGINE_ACTIVE, FieldStatus.NOT_SUPPORTED);
        assertStatus(gpu, FieldCatalog.PROF_SM_OCCUPANCY, FieldStatus.NO_PERMISSION);
        assertThat(gpu.status(slot(FieldCatalog.TOTAL_ENERGY))).as("just below the blank is a value")
                .isEqualTo(FieldStatus.OK);
    }

    private static void assertStatus(EntitySample sample, Field field, FieldStatus status) {
        assertThat(sample.status(slot(field))).as(field.name()).isEqualTo(status);
        assertThat(sample.has(slot(field))).as(field.name()).isFalse();
        assertThat(sample.value(slot(field))).as("%s leaked a value", field.name()).isZero();
    }

    @Test
    void aLostGpuIsLostAndRaisesOneXid79() throws Exception {
        DcgmBackend backend = open();
        backend.sample(ALL);
        fake.fake_dcgm_set_gpu_lost(2, 1);
        NodeSample sample = backend.sample(ALL);
        assertThat(sample.gpu(index(2)).lost()).isTrue();
        assertThat(sample.gpu(index(3)).lost()).isFalse();
        List<GpuEvent> events = backend.drainEvents();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.xid()).isEqualTo(79);
            assertThat(e.gpu()).isEqualTo(index(2));
            assertThat(e.uuid()).isEqualTo(fake.uuid(2));
            assertThat(e.action()).isEqualTo(RepairAction.POWER_CYCLE);
        });
        assertThat(backend.sample(ALL).gpu(index(2)).lost()).isTrue();
        assertThat(backend.drainEvents()).as("one event per loss").isEmpty();
    }

    @Test
    void aLostGpuWhoseXid79CameFromTheStreamGetsNoSecondOne() throws Exception {
        DcgmBackend backend = open();
        long ts = fake.fake_dcgm_push_xid(2, 79, -1, -1);
        fake.fake_dcgm_set_gpu_lost(2, 1);
        assertThat(backend.sample(ALL).gpu(index(2)).lost()).isTrue();
        assertThat(backend.drainEvents()).singleElement().satisfies(e -> {
            assertThat(e.xid()).isEqualTo(79);
            assertThat(e.time()).isEqualTo(fromMicros(ts));
        });
    }

    @Test
    void migGpuInstancesFollowTheGpusWithTheirOwnFieldsOnly() throws Exception {
        addMig();
        fake.fake_dcgm_set_int(FakeDcgm.FE_GPU_I, 10, id(FieldCatalog.FB_USED), 1234);
        fake.fake_dcgm_set_int(FakeDcgm.FE_GPU_I, 11, id(FieldCatalog.FB_USED), 5678);
        fake.fake_dcgm_set_order(2);
        NodeSample sample = open().sample(ALL);
        assertThat(sample.entities()).hasSize(GPUS + 2);
        List<EntitySample> instances = sample.entities().subList(GPUS, GPUS + 2);
        assertThat(instances).extracting(EntitySample::gpu).containsOnly(index(1));
        assertThat(instances).extracting(EntitySample::gpuInstanceId).containsExactly(1, 2);
        assertThat(instances.get(0).value(slot(FieldCatalog.FB_USED))).isEqualTo(1234);
        assertThat(instances.get(1).value(slot(FieldCatalog.FB_USED))).isEqualTo(5678);
        assertThat(instances.get(0).has(slot(FieldCatalog.PROF_GR_ENGINE_ACTIVE))).isTrue();
        for (Field field : ALL.fields()) {
            if (!field.perMigInstance()) {
                assertThat(instances.get(0).status(slot(field))).as(field.name()).isEqualTo(FieldStatus.NOT_SUPPORTED);
            }
        }
        assertThat(sample.gpu(index(1)).value(slot(FieldCatalog.FB_USED))).as("the GPU's own value")
                .isNotIn(1234.0, 5678.0);
    }

    @Test
    void aMigChangeRunsWithNothingWatchedAndWatchesTheNewEntitiesAfterIt() throws Exception {
        StubCompanion companion = StubCompanion.of(fake, GPUS);
        DcgmBackend backend = open(embedded(), companion, Duration.ofSeconds(1));
        assertThat(backend.sample(ALL).entities()).hasSize(GPUS);
        assertThat(fake.fake_dcgm_live("watches")).as("the XID field and the sampled fields").isEqualTo(2);
        fake.fake_dcgm_add_gpu_instance(0, 30, 7, 0, 8);
        backend.applyMig(index(0), true, List.of(new MigPlacement("7g.80gb", 0)));
        assertThat(companion.migChanges()).containsExactly(index(0) + ":true:1 watches=0");
        assertThat(fake.fake_dcgm_live("groups")).isEqualTo(1);
        assertThat(fake.groups().get(0).entities()).as("the new instance is in the group").contains("4:30");
        assertThat(fake.fake_dcgm_live("watches")).as("watched again before the next sample").isEqualTo(2);
        assertThat(fake.watches()).anySatisfy(w -> assertThat(w.fields()).hasSize(ALL.size()));
        long groupsMade = fake.fake_dcgm_calls("dcgmGroupCreate");
        NodeSample sample = backend.sample(ALL);
        assertThat(sample.entities()).hasSize(GPUS + 1);
        assertThat(sample.entities().get(GPUS).gpuInstanceId()).isEqualTo(7);
        assertThat(fake.fake_dcgm_calls("dcgmGroupCreate")).as("the sample found it all set up").isEqualTo(groupsMade);
    }

    @Test
    void aMigChangeThatFailsStillWatchesTheEntitiesItLeft() throws Exception {
        StubCompanion companion = StubCompanion.of(fake, GPUS);
        DcgmBackend backend = open(embedded(), companion, Duration.ofSeconds(1));
        backend.sample(ALL);
        fake.fake_dcgm_add_gpu_instance(0, 30, 7, 0, 8);
        companion.migFailures().add(new GpuBackendException(GpuBackendException.Reason.DRIVER_ERROR,
                "GPU 1: MIG change failed at step 'create the compute instance of 7g.80gb at 0'"));
        GpuBackendException e = catchThrowableOfType(GpuBackendException.class,
                () -> backend.applyMig(index(0), true, List.of(new MigPlacement("7g.80gb", 0))));
        assertThat(e.getMessage()).contains("create the compute instance");
        assertThat(fake.fake_dcgm_live("watches")).isEqualTo(2);
        assertThat(fake.groups().get(0).entities()).contains("4:30");
        assertThat(backend.sample(ALL).entities()).hasSize(GPUS + 1);
    }

    // ---- XIDs ----------------------------------------------------------------------------------

    @Test
    void xidsArriveWithTheirGpuInstanceAndComputeInstance() throws Exception {
        addMig();
        DcgmBackend backend = open();
        long ts = fake.fake_dcgm_push_xid(0, 48, -1, -1);
        fake.fake_dcgm_push_xid(1, 13, 10, -1);
        fake.fake_dcgm_push_xid(1, 31, -1, 21);
        backend.sample(ALL);
        List<GpuEvent> events = backend.drainEvents();
        assertThat(events).extracting(GpuEvent::xid).containsExactly(48, 13, 31);
        assertThat(events).extracting(GpuEvent::kind).containsOnly(GpuEvent.Kind.XID);
        GpuEvent dbe = events.get(0);
        assertThat(dbe.gpu()).isEqualTo(index(0));
        assertThat(dbe.uuid()).isEqualTo(fake.uuid(0));
        assertThat(dbe.gpuInstanceId()).isNull();
        assertThat(dbe.time()).isEqualTo(fromMicros(ts));
        assertThat(dbe.action()).isEqualTo(RepairAction.RESET_GPU);
        assertThat(events.get(1)).extracting(GpuEvent::gpu, GpuEvent::gpuInstanceId, GpuEvent::computeInstanceId)
                .containsExactly(index(1), 1, null);
        assertThat(events.get(2)).extracting(GpuEvent::gpu, GpuEvent::gpuInstanceId, GpuEvent::computeInstanceId)
                .containsExactly(index(1), 2, 0);
    }

    @Test
    void xidsFromBeforeTheAgentStartedAreNotReported() throws Exception {
        fake.fake_dcgm_reset(GPUS);
        fake.fake_dcgm_push_xid(4, 79, -1, -1);
        DcgmBackend backend = open();
        backend.sample(ALL);
        assertThat(backend.drainEvents()).isEmpty();
        fake.fake_dcgm_push_xid(4, 74, -1, -1);
        assertThat(backend.drainEvents()).extracting(GpuEvent::xid).containsExactly(74);
    }

    @Test
    void manyXidsBetweenTwoSamplesAreAllReportedOnceInOrder() throws Exception {
        DcgmBackend backend = open();
        backend.sample(ALL);
        int[] codes = {13, 31, 43, 48, 74, 94};
        List<Integer> pushed = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            fake.fake_dcgm_push_xid(i % GPUS, codes[i % codes.length], -1, -1);
            pushed.add(codes[i % codes.length]);
        }
        backend.sample(ALL);
        List<GpuEvent> events = backend.drainEvents();
        assertThat(events).extracting(GpuEvent::xid).containsExactlyElementsOf(pushed);
        assertThat(events).extracting(GpuEvent::gpu).containsExactlyElementsOf(
                IntStream.range(0, 500).map(i -> index(i % GPUS)).boxed().toList());
        assertThat(events).extracting(GpuEvent::time).isSorted().doesNotHaveDuplicates();
        backend.sample(ALL);
        assertThat(backend.drainEvents()).isEmpty();
    }

    @Test
    void anXidWakesTheListenerWithoutASample() throws Exception {
        DcgmBackend backend = open();
        CountDownLatch woken = new CountDownLatch(1);
        backend.onEvent(woken::countDown);
        fake.fake_dcgm_push_xid(5, 79, -1, -1);
        assertThat(woken.await(5, TimeUnit.SECONDS)).as("listener woken").isTrue();
        assertThat(backend.drainEvents()).extracting(GpuEvent::xid, GpuEvent::gpu).containsExactly(
                org.assertj.core.groups.Tuple.tuple(79, index(5)));
    }

    // ---- health --------------------------------------------------------------------------------

    @Test
    void healthIncidentsBecomeReasonsOnTheirGpus() throws Exception {
        addMig();
        fake.fake_dcgm_add_incident(FakeDcgm.FE_GPU, 0, MEM, FAIL, "Detected 2 volatile DBEs on GPU 0", 42);
        fake.fake_dcgm_add_incident(FakeDcgm.FE_GPU, 3, NVLINK, WARN, "NVLink replay errors on GPU 3", 51);
        fake.fake_dcgm_add_incident(FakeDcgm.FE_GPU, 4, INFOROM, WARN, "A corrupt InfoROM has been detected", 12);
        fake.fake_dcgm_add_incident(FakeDcgm.FE_GPU, 5, THERMAL, WARN, "Clock throttling (thermal)", 13);
        fake.fake_dcgm_add_incident(FakeDcgm.FE_GPU, 6, PCIE, WARN, "PCIe replay rate above expected", 14);
        fake.fake_dcgm_add_incident(FakeDcgm.FE_GPU_I, 10, MEM, WARN, "Pending page retirements", 15);
        NodeSample sample = open().sample(ALL);
        assertThat(sample.backendHealth()).containsOnlyKeys(index(0), index(3), index(4), index(5), index(6),
                index(1));
        assertThat(sample.backendHealth().get(index(0))).singleElement().isEqualTo(new HealthReason("dcgm-memory",
                HealthState.FAILED, "Detected 2 volatile DBEs on GPU 0 (DCGM health error 42)", RepairAction.RESET_GPU,
                null, T0));
        assertReason(sample, 3, "dcgm-nvlink", HealthState.DEGRADED, RepairAction.CHECK_NVLINK);
        assertReason(sample, 4, "dcgm-inforom", HealthState.DEGRADED, RepairAction.RMA);
        assertReason(sample, 5, "dcgm-thermal", HealthState.DEGRADED, RepairAction.NONE);
        assertReason(sample, 6, "dcgm-pcie", HealthState.DEGRADED, RepairAction.NONE);
        assertReason(sample, 1, "dcgm-memory", HealthState.DEGRADED, RepairAction.RESET_GPU);
    }

    private static void assertReason(NodeSample sample, int dcgmId, String code, HealthState state,
                                     RepairAction action) {
        assertThat(sample.backendHealth().get(index(dcgmId))).singleElement().satisfies(r -> {
            assertThat(r.code()).isEqualTo(code);
            assertThat(r.state()).isEqualTo(state);
            assertThat(r.action()).isEqualTo(action);
        });
    }

    @Test
    void aReasonStaysWithItsFirstSeenTimeWhileDcgmReportsItAndGoesWhenCleared() throws Exception {
        fake.fake_dcgm_add_incident(FakeDcgm.FE_GPU, 2, MEM, FAIL, "Detected 1 volatile DBEs on GPU 2", 42);
        DcgmBackend backend = open();
        assertThat(backend.sample(ALL).backendHealth().get(index(2))).extracting(HealthReason::since)
                .containsExactly(T0);
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(6));
            assertThat(backend.sample(ALL).backendHealth().get(index(2))).extracting(HealthReason::since)
                    .containsExactly(T0);
        }
        fake.fake_dcgm_clear_incidents();
        clock.advance(Duration.ofSeconds(6));
        assertThat(backend.sample(ALL).backendHealth()).isEmpty();
        fake.fake_dcgm_add_incident(FakeDcgm.FE_GPU, 2, MEM, FAIL, "Detected 1 volatile DBEs on GPU 2", 42);
        clock.advance(Duration.ofSeconds(6));
        assertThat(backend.sample(ALL).backendHealth().get(index(2))).extracting(HealthReason::since)
                .as("a new occurrence").containsExactly(clock.instant());
    }

    @Test
    void healthIsCheckedAtMostEveryPeriodAndHeldBetweenChecks() throws Exception {
        fake.fake_dcgm_add_incident(FakeDcgm.FE_GPU, 2, NVLINK, WARN, "NVLink errors", 51);
        DcgmBackend backend = open();
        backend.sample(ALL);
        assertThat(backend.sample(ALL).backendHealth()).containsKey(index(2));
        assertThat(fake.fake_dcgm_calls("dcgmHealthCheck")).isEqualTo(1);
        clock.advance(HealthWatch.PERIOD);
        backend.sample(ALL);
        assertThat(fake.fake_dcgm_calls("dcgmHealthCheck")).isEqualTo(2);
    }

    // ---- host engine restart -------------------------------------------------------------------

    @Test
    void aHostEngineRestartIsConnectionLostThenBacksOffThenRecoversEverything() throws Exception {
        addMig();
        DcgmBackend backend = open();
        backend.sample(ALL);
        fake.fake_dcgm_restart_engine();

        GpuBackendException lost = sampleFails(backend, ALL);
        assertThat(lost.reason()).isEqualTo(Reason.CONNECTION_LOST);
        assertThat(lost.getMessage()).contains("connection lost").contains(fake.errorString(CONNECTION_NOT_VALID))
                .contains("reconnecting in 1 s");
        assertThat(fake.fake_dcgm_live("connections")).as("the old engine's handle is released").isZero();

        long calls = fake.fake_dcgm_total_calls();
        clock.advance(Duration.ofMillis(500));
        assertThat(sampleFails(backend, ALL).getMessage()).contains("reconnecting in 1 s");
        assertThat(backend.drainEvents()).isEmpty();
        assertThat(fake.fake_dcgm_total_calls()).as("no DCGM call while waiting").isEqualTo(calls);

        clock.advance(Duration.ofMillis(500));
        NodeSample sample = backend.sample(ALL);
        assertThat(sample.entities()).hasSize(GPUS + 2);
        assertThat(sample.gpu(0).has(slot(FieldCatalog.GPU_TEMP))).isTrue();
        assertThat(fake.fake_dcgm_live("connections")).isEqualTo(1);
        assertThat(fake.fake_dcgm_live("groups")).isEqualTo(1);
        assertThat(fake.fake_dcgm_live("field_groups")).isEqualTo(2);
        assertThat(fake.watches()).extracting(w -> w.fields().length).containsExactlyInAnyOrder(1, ALL.size());
        assertThat(fake.groups().get(0).entities()).contains("4:10", "5:21");
        assertThat(fake.groups().get(0).healthSystems()).isNotZero();

        fake.fake_dcgm_push_xid(3, 94, -1, -1);
        backend.sample(ALL);
        assertThat(backend.drainEvents()).extracting(GpuEvent::xid).containsExactly(94);
    }

    @Test
    void reconnectAttemptsBackOffExponentiallyUpToThirtySeconds() throws Exception {
        DcgmBackend backend = open(remote("gpuhost:5555", null), StubCompanion.of(fake, GPUS), Duration.ofSeconds(1));
        backend.sample(ALL);
        fake.fake_dcgm_restart_engine();
        fake.fake_dcgm_fail_next("dcgmConnect_v2", 7, CONNECTION_NOT_VALID);
        assertThat(sampleFails(backend, ALL).reason()).isEqualTo(Reason.CONNECTION_LOST);

        int[] waits = {1, 2, 4, 8, 16, 30, 30, 30};
        for (int attempt = 0; attempt < waits.length; attempt++) {
            long connects = fake.fake_dcgm_calls("dcgmConnect_v2");
            clock.advance(Duration.ofSeconds(waits[attempt]).minusMillis(100));
            assertThat(sampleFails(backend, ALL).getMessage()).as("before attempt %d", attempt + 1)
                    .contains("reconnecting in 1 s");
            assertThat(fake.fake_dcgm_calls("dcgmConnect_v2")).isEqualTo(connects);
            clock.advance(Duration.ofMillis(100));
            if (attempt < waits.length - 1) {
                GpuBackendException failed = sampleFails(backend, ALL);
                assertThat(failed.reason()).isEqualTo(Reason.CONNECTION_LOST);
                assertThat(failed.getMessage()).contains("reconnect attempt " + (attempt + 1) + " failed")
                        .contains("reconnecting in " + waits[attempt + 1] + " s");
            } else {
                assertThat(backend.sample(ALL).gpu(0).has(slot(FieldCatalog.GPU_TEMP))).isTrue();
            }
            assertThat(fake.fake_dcgm_calls("dcgmConnect_v2")).isEqualTo(connects + 1);
        }
        assertThat(fake.fake_dcgm_live("connections")).isEqualTo(1);
    }

    @Test
    void theEventThreadNoticesALostEngineAndWakesTheAgent() throws Exception {
        DcgmBackend backend = open();
        backend.sample(ALL);
        CountDownLatch woken = new CountDownLatch(1);
        backend.onEvent(woken::countDown);
        fake.fake_dcgm_restart_engine();
        assertThat(woken.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(sampleFails(backend, ALL).reason()).isEqualTo(Reason.CONNECTION_LOST);
    }

    // ---- resources -----------------------------------------------------------------------------

    @Test
    void sampling100000TimesAllocatesNoBufferAndNoDcgmObject() throws Exception {
        fake.fake_dcgm_reset(2);
        DcgmBackend backend = open(embedded(), StubCompanion.of(fake, 2), Duration.ofSeconds(1));
        FieldSet few = new FieldSet(List.of(FieldCatalog.GPU_TEMP, FieldCatalog.POWER_USAGE, FieldCatalog.FB_USED,
                FieldCatalog.PROF_GR_ENGINE_ACTIVE));
        backend.sample(few);
        int allocations = backend.nativeAllocations();
        long getLatest = fake.fake_dcgm_calls("dcgmEntitiesGetLatestValues");
        for (int i = 0; i < 100_000; i++) {
            backend.sample(few);
        }
        assertThat(backend.sample(few).gpu(1).has(few.slot(FieldCatalog.GPU_TEMP))).isTrue();
        assertThat(backend.nativeAllocations()).isEqualTo(allocations);
        assertThat(fake.fake_dcgm_calls("dcgmEntitiesGetLatestValues") - getLatest).isEqualTo(100_001);
        assertThat(fake.fake_dcgm_live("groups")).isEqualTo(1);
        assertThat(fake.fake_dcgm_live("field_groups")).isEqualTo(2);
        assertThat(fake.fake_dcgm_live("watches")).isEqualTo(2);
        assertThat(fake.fake_dcgm_live("connections")).isEqualTo(1);
    }

    @Test
    void closeReleasesEveryDcgmObjectAndStopsTheEventThread() throws Exception {
        addMig();
        DcgmBackend backend = open();
        backend.sample(ALL);
        backend.close();
        assertThat(fake.fake_dcgm_live("watches")).isZero();
        assertThat(fake.fake_dcgm_live("field_groups")).isZero();
        assertThat(fake.fake_dcgm_live("groups")).isZero();
        assertThat(fake.fake_dcgm_live("connections")).isZero();
        assertThat(fake.fake_dcgm_calls("dcgmShutdown")).isEqualTo(1);
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .doesNotContain("vigil-dcgm-events-node-1");
        backend.close();
        assertThat(fake.fake_dcgm_calls("dcgmShutdown")).as("close is idempotent").isEqualTo(1);
        assertThatThrownBy(() -> backend.sample(ALL)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeAfterALostEngineLeavesNoConnection() throws Exception {
        DcgmBackend backend = open(remote("gpuhost:5555", null), StubCompanion.of(fake, GPUS), Duration.ofSeconds(1));
        backend.sample(ALL);
        fake.fake_dcgm_restart_engine();
        sampleFails(backend, ALL);
        backend.close();
        assertThat(fake.fake_dcgm_live("connections")).isZero();
    }

    private static String cString(byte[] bytes) {
        int length = 0;
        while (length < bytes.length && bytes[length] != 0) {
            length++;
        }
        return new String(bytes, 0, length);
    }
}
