package dev.vigil.agent.mig;

import dev.vigil.agent.repair.Outcome;
import dev.vigil.agent.sampling.EventLog;
import dev.vigil.api.mig.GpuMigStatus;
import dev.vigil.api.mig.GpuMigTarget;
import dev.vigil.api.mig.MigPhase;
import dev.vigil.api.mig.MigSlot;
import dev.vigil.gpu.nvml.FakeNvml;
import dev.vigil.gpu.nvml.NvmlBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reconciler on the NVML backend over the fake libnvidia-ml: a layout reaches the driver, and
 * what NVML says (a failed step, a mode change pending a reset, processes) comes back in the status.
 */
class MigOnFakeNvmlTest {
    /** NVML_ERROR_UNKNOWN and NVML_ERROR_RESET_REQUIRED, as nvml.h numbers them. */
    private static final int UNKNOWN = 999;
    private static final int RESET_REQUIRED = 16;

    @TempDir
    Path dir;

    private static GpuMigTarget target(int gpu, MigSlot... slots) {
        return new GpuMigTarget(gpu, "test", slots.length > 0, List.of(slots), 1);
    }

    private static GpuMigStatus awaitPhase(MigReconciler reconciler, int gpu, MigPhase phase) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            GpuMigStatus status = reconciler.statuses().stream().filter(s -> s.gpu() == gpu).findFirst().orElseThrow();
            if (status.phase() == phase) {
                return status;
            }
            assertThat(System.nanoTime()).as("gpu %d never %s; it is %s", gpu, phase, status).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void layoutsReachTheDriverAndWhatNvmlSaysComesBack() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        fake.fail(5, "nvmlGpuInstanceCreateComputeInstance", UNKNOWN);
        fake.set(6, "mig_activation", RESET_REQUIRED);
        fake.fake_nvml_add_process(2, 4121, FakeNvml.MIB, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE);
        fake.fake_nvml_add_process(2, 4188, FakeNvml.MIB, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE);
        try (NvmlBackend backend = FakeNvml.open();
             MigReconciler reconciler = new MigReconciler("n1", backend,
                     gpu -> Outcome.failed("not asked for", null), MigJournal.in("n1", dir), false,
                     Duration.ofMinutes(5), new EventLog(100), Clock.systemUTC())) {
            reconciler.start();
            reconciler.requested(List.of(target(3, new MigSlot("3g.40gb", 0), new MigSlot("3g.40gb", 4)),
                    target(5, new MigSlot("7g.80gb", 0)), target(6, new MigSlot("7g.80gb", 0)),
                    target(2, new MigSlot("7g.80gb", 0))));

            assertThat(awaitPhase(reconciler, 3, MigPhase.SUCCESS).message()).isEqualTo("MIG on: 2×3g.40gb");
            assertThat(fake.mig(3)).isEqualTo("9@0+4/1;9@4+4/1");

            assertThat(awaitPhase(reconciler, 5, MigPhase.FAILED).message()).contains("GPU 5",
                    "step 'create the compute instance of 7g.80gb at 0'", "unknown error (NVML 999)");

            assertThat(awaitPhase(reconciler, 6, MigPhase.RESET_REQUIRED).message()).isEqualTo("MIG mode change on "
                    + "GPU 6 needs a GPU reset; mig.allowReset is false: reset it (nvidia-smi -r -i 6) or reboot");
            assertThat(fake.mig(6)).isEmpty();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!reconciler.statuses().stream().filter(s -> s.gpu() == 2).findFirst().orElseThrow().message()
                    .startsWith("refused")) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(5);
            }
            GpuMigStatus busy = reconciler.statuses().stream().filter(s -> s.gpu() == 2).findFirst().orElseThrow();
            assertThat(busy.phase()).isEqualTo(MigPhase.APPLYING);
            assertThat(busy.message()).isEqualTo("refused: pids 4121, 4188 use GPU 2; waiting for them to exit");
            assertThat(fake.calls("nvmlDeviceSetMigMode")).as("GPU 2 untouched: only 3, 5 and 6 switched")
                    .isEqualTo(3);
        }
    }
}
