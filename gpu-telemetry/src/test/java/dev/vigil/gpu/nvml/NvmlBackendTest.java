package dev.vigil.gpu.nvml;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.backend.GpuBackendException.Reason;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.fields.FieldSet;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Opening and closing, XID events and processes, against the fake libnvidia-ml.so.1. */
class NvmlBackendTest {
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    @Test
    void aLibraryThatIsNotThereIsLibraryMissingNamingThePath() {
        String path = "/nonexistent/vigil/libnvidia-ml.so.1";
        GpuBackendException e = catchThrowableOfType(GpuBackendException.class,
                () -> NvmlBackend.open("node-1", new NvmlSettings(path), Clock.systemUTC()));
        assertThat(e.reason()).isEqualTo(Reason.LIBRARY_MISSING);
        assertThat(e.getMessage()).contains(path);
    }

    @Test
    void aLibraryWithoutNvmlsFunctionsIsLibraryMissingNamingThem() {
        FakeNvml.reset();
        GpuBackendException e = catchThrowableOfType(GpuBackendException.class,
                () -> NvmlBackend.open("node-1", new NvmlSettings("libc.so.6"), Clock.systemUTC()));
        assertThat(e.reason()).isEqualTo(Reason.LIBRARY_MISSING);
        assertThat(e.getMessage()).contains("libc.so.6", "nvmlInit_v2", "too old");
    }

    @Test
    void initFailuresMapToWhatTheOperatorMustFix() {
        FakeNvml fake = FakeNvml.reset();
        fake.fail(-1, "nvmlInit_v2", Nvml.ERROR_DRIVER_NOT_LOADED);
        GpuBackendException driver = catchThrowableOfType(GpuBackendException.class, FakeNvml::open);
        assertThat(driver.reason()).isEqualTo(Reason.LIBRARY_MISSING);
        assertThat(driver.getMessage()).contains("the NVIDIA driver is not loaded");

        fake.fail(-1, "nvmlInit_v2", Nvml.ERROR_NO_PERMISSION);
        assertThat(catchThrowableOfType(GpuBackendException.class, FakeNvml::open).reason())
                .isEqualTo(Reason.NO_PERMISSION);

        fake.fail(-1, "nvmlInit_v2", Nvml.ERROR_UNKNOWN);
        GpuBackendException other = catchThrowableOfType(GpuBackendException.class, FakeNvml::open);
        assertThat(other.reason()).isEqualTo(Reason.DRIVER_ERROR);
        assertThat(other.getMessage()).contains("unknown error", "999");
        assertThat(fake.fake_nvml_live()).isZero();
    }

    @Test
    void noGpuIsNoGpusAndShutsNvmlDownAgain() {
        FakeNvml fake = FakeNvml.reset(0, "NVIDIA H100 80GB HBM3");
        GpuBackendException e = catchThrowableOfType(GpuBackendException.class, FakeNvml::open);
        assertThat(e.reason()).isEqualTo(Reason.NO_GPUS);
        assertThat(fake.fake_nvml_live()).isZero();
        assertThat(fake.calls("nvmlShutdown")).isEqualTo(1);
    }

    @Test
    void openingAndClosingManyTimesLeavesNothingBehind() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        for (int i = 0; i < 10; i++) {
            try (NvmlBackend backend = FakeNvml.open()) {
                assertThat(backend.name()).isEqualTo("nvml");
                assertThat(fake.fake_nvml_live()).as("NVML initialised and one event set").isEqualTo(2);
                backend.sample(new FieldSet(FieldCatalog.DEFAULTS));
            }
            assertThat(fake.fake_nvml_live()).isZero();
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
                t -> t.getName().startsWith("vigil-nvml-events-") && t.isAlive());
        assertThat(fake.calls("nvmlEventSetFree")).isEqualTo(10);
        assertThat(fake.calls("nvmlShutdown")).isEqualTo(10);
    }

    @Test
    void closeIsIdempotentAndAClosedBackendRefusesToSample() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        NvmlBackend backend = FakeNvml.open();
        backend.close();
        backend.close();
        assertThat(fake.calls("nvmlShutdown")).isEqualTo(1);
        assertThatThrownBy(() -> backend.sample(new FieldSet(FieldCatalog.DEFAULTS)))
                .isInstanceOf(GpuBackendException.class);
    }

    @Test
    void anXidReachesDrainEventsWithItsGpuAndWakesTheListener() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        fake.fake_nvml_set_string(3, "uuid", "GPU-0a1b2c3d-0000-4000-8000-000000000003");
        try (NvmlBackend backend = FakeNvml.open()) {
            CountDownLatch woken = new CountDownLatch(1);
            backend.onEvent(woken::countDown);
            assertThat(fake.fake_nvml_push_xid(3, 48, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE)).isEqualTo(1);

            assertThat(woken.await(5, TimeUnit.SECONDS)).as("listener ran").isTrue();
            List<GpuEvent> events = drainUntil(backend, 1);
            assertThat(events).singleElement().satisfies(event -> {
                assertThat(event.kind()).isEqualTo(GpuEvent.Kind.XID);
                assertThat(event.gpu()).isEqualTo(3);
                assertThat(event.uuid()).isEqualTo("GPU-0a1b2c3d-0000-4000-8000-000000000003");
                assertThat(event.xid()).isEqualTo(48);
                assertThat(event.gpuInstanceId()).isNull();
                assertThat(event.computeInstanceId()).isNull();
                assertThat(event.severity()).isEqualTo(Severity.CRITICAL);
                assertThat(event.action()).isEqualTo(RepairAction.RESET_GPU);
                assertThat(event.time()).isEqualTo(FakeNvml.NOW);
            });
            assertThat(backend.drainEvents()).as("handed out once").isEmpty();
            FieldSet fields = new FieldSet(List.of(FieldCatalog.XID_ERRORS));
            assertThat(backend.sample(fields).gpu(3).value(0)).isEqualTo(48);
            assertThat(backend.sample(fields).gpu(2).value(0)).as("0 before any XID").isZero();
        }
    }

    @Test
    void anXidAttributedToAMigInstanceKeepsItsIds() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open()) {
            fake.fake_nvml_push_xid(1, 13, 2, 0);
            assertThat(drainUntil(backend, 1)).singleElement().satisfies(event -> {
                assertThat(event.gpuInstanceId()).isEqualTo(2);
                assertThat(event.computeInstanceId()).isZero();
                assertThat(event.action()).isEqualTo(RepairAction.RESTART_APP);
            });
        }
    }

    @Test
    void manyXidsBetweenTwoDrainsAreAllHandedOutOnceInOrder() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open()) {
            AtomicInteger wakeUps = new AtomicInteger();
            backend.onEvent(wakeUps::incrementAndGet);
            for (int i = 0; i < 500; i++) {
                fake.fake_nvml_push_xid(i % 8, 1000 + i, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE);
            }
            List<GpuEvent> events = drainUntil(backend, 500);
            assertThat(events).extracting(GpuEvent::xid)
                    .containsExactlyElementsOf(IntStream.range(1000, 1500).boxed().toList());
            assertThat(events).extracting(GpuEvent::gpu).startsWith(0, 1, 2, 3, 4, 5, 6, 7, 0);
            assertThat(wakeUps.get()).isEqualTo(500);
            assertThat(backend.drainEvents()).isEmpty();
        }
    }

    @Test
    void aGpuThatRefusesEventRegistrationIsLoggedAndTheOthersStillReport() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        fake.fail(5, "nvmlDeviceRegisterEvents", Nvml.ERROR_NOT_SUPPORTED);
        try (NvmlBackend backend = FakeNvml.open()) {
            assertThat(fake.fake_nvml_push_xid(5, 31, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE)).isZero();
            assertThat(fake.fake_nvml_push_xid(6, 31, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE)).isEqualTo(1);
            assertThat(drainUntil(backend, 1)).extracting(GpuEvent::gpu).containsExactly(6);
        }
    }

    @Test
    void processesUseTheCountFirstProtocolAndReportMiB() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        fake.fake_nvml_add_process(2, 1001, FakeNvml.MIB * 1024, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE);
        fake.fake_nvml_add_process(2, 1002, 3 * 1024 * FakeNvml.MIB + 5, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE);
        fake.fake_nvml_add_process(2, 1003, 0, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE);
        try (NvmlBackend backend = FakeNvml.open()) {
            assertThat(backend.processes(2)).containsExactly(
                    new GpuProcess(1001, 2, null, null, 1024),
                    new GpuProcess(1002, 2, null, null, 3072),
                    new GpuProcess(1003, 2, null, null, 0));
            assertThat(fake.calls("nvmlDeviceGetComputeRunningProcesses_v3")).as("count, then fill").isEqualTo(2);

            assertThat(backend.processes(4)).isEmpty();
            assertThat(fake.calls("nvmlDeviceGetComputeRunningProcesses_v3")).as("count only").isEqualTo(3);
        }
    }

    @Test
    void processesInMigInstancesCarryTheirInstanceIds() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        fake.fake_nvml_set_mig(0, 1);
        int gi = fake.fake_nvml_add_instance(0, 9, 0);
        fake.fake_nvml_add_process(0, 777, 2048 * FakeNvml.MIB, gi, 0);
        try (NvmlBackend backend = FakeNvml.open()) {
            assertThat(backend.processes(0)).containsExactly(new GpuProcess(777, 0, gi, 0, 2048));
        }
    }

    @Test
    void processErrorsAreReportedAndALostGpuHasNone() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        fake.fake_nvml_add_process(1, 55, FakeNvml.MIB, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE);
        try (NvmlBackend backend = FakeNvml.open()) {
            fake.fail(1, "nvmlDeviceGetComputeRunningProcesses_v3", Nvml.ERROR_NO_PERMISSION);
            assertThat(catchThrowableOfType(GpuBackendException.class, () -> backend.processes(1)).reason())
                    .isEqualTo(Reason.NO_PERMISSION);
            fake.fail(1, "nvmlDeviceGetComputeRunningProcesses_v3", 0);
            fake.fake_nvml_set_lost(1, 1);
            assertThat(backend.processes(1)).isEmpty();
            assertThatThrownBy(() -> backend.processes(8)).isInstanceOf(InvalidValueException.class)
                    .hasMessageContaining("0 to 7");
        }
    }

    /** Drains until {@code count} events came (the event thread delivers them asynchronously). */
    static List<GpuEvent> drainUntil(NvmlBackend backend, int count) throws InterruptedException {
        List<GpuEvent> events = new ArrayList<>();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (events.size() < count && System.nanoTime() < deadline) {
            events.addAll(backend.drainEvents());
            if (events.size() < count) {
                Thread.sleep(2);
            }
        }
        return events;
    }
}
