package dev.vigil.gpu.nvml;

import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.backend.GpuBackendException.Reason;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.mig.MigGpuModel;
import dev.vigil.gpu.mig.MigLayoutValidator;
import dev.vigil.gpu.mig.MigPlacement;
import dev.vigil.gpu.mig.MigPlanner;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

/** MIG changes through NVML leave the fake in exactly the state asked for, or say why not. */
class NvmlMigTest {
    private static final MigGpuModel H100 = MigGpuModel.H100_80GB;

    @Test
    void enableBalancedThenAllOneSliceThenDisable() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open()) {
            List<MigPlacement> balanced = MigPlanner.plan(H100, Map.of("3g.40gb", 1, "2g.20gb", 1, "1g.10gb", 2));
            backend.applyMig(3, true, balanced);
            assertThat(fake.mig(3)).isEqualTo("14@0+2/1;19@2+1/1;19@3+1/1;9@4+4/1");
            MigStatus mig = backend.inventory().gpus().get(3).mig();
            assertThat(mig.enabled()).isTrue();
            assertThat(mig.instances()).extracting(MigInstance::profile, MigInstance::start, MigInstance::size)
                    .containsExactly(tuple("2g.20gb", 0, 2), tuple("1g.10gb", 2, 1), tuple("1g.10gb", 3, 1),
                            tuple("3g.40gb", 4, 4));
            assertThat(mig.instances()).allSatisfy(i -> assertThat(i.uuid()).startsWith("MIG-"));
            assertThat(mig.instances()).filteredOn(i -> i.profile().equals("3g.40gb"))
                    .extracting(MigInstance::gpuInstanceId).as("created first, as the list gives it").containsExactly(1);
            assertThat(backend.inventory().gpus().get(2).mig().enabled()).isFalse();

            backend.applyMig(3, true, MigPlanner.plan(H100, Map.of("1g.10gb", 7)));
            assertThat(fake.mig(3)).isEqualTo("19@0+1/1;19@1+1/1;19@2+1/1;19@3+1/1;19@4+1/1;19@5+1/1;19@6+1/1");
            assertThat(backend.inventory().gpus().get(3).mig().instances()).hasSize(7)
                    .extracting(MigInstance::profile).containsOnly("1g.10gb");
            assertThat(backend.sample(new FieldSet(FieldCatalog.DEFAULTS))
                    .entities()).as("8 GPUs and 7 instances").hasSize(15);

            backend.applyMig(3, false, List.of());
            assertThat(fake.fake_nvml_describe_mig(3, new byte[8], 8)).as("MIG mode").isZero();
            assertThat(fake.mig(3)).isEmpty();
            assertThat(backend.inventory().gpus().get(3).mig()).isEqualTo(new MigStatus(true, false, List.of()));
        }
    }

    @Test
    void refusedWhileTheGpuHasProcessesNamingThem() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        fake.fake_nvml_add_process(0, 4242, FakeNvml.MIB, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE);
        fake.fake_nvml_add_process(0, 4343, FakeNvml.MIB, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE);
        try (NvmlBackend backend = FakeNvml.open()) {
            GpuBackendException e = catchThrowableOfType(GpuBackendException.class,
                    () -> backend.applyMig(0, true, List.of(new MigPlacement("7g.80gb", 0))));
            assertThat(e.reason()).isEqualTo(Reason.REFUSED);
            assertThat(e.getMessage()).isEqualTo("GPU 0 has 2 process(es) (pids [4242, 4343]); "
                    + "stop them before changing its MIG layout");
            assertThat(fake.calls("nvmlDeviceSetMigMode")).isZero();
        }
    }

    @Test
    void refusedForAnIllegalLayoutWithTheValidatorsReasons() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open()) {
            List<MigPlacement> layout = List.of(new MigPlacement("3g.40gb", 0), new MigPlacement("4g.40gb", 0),
                    new MigPlacement("1g.10gb", 7));
            GpuBackendException e = catchThrowableOfType(GpuBackendException.class,
                    () -> backend.applyMig(1, true, layout));
            assertThat(e.reason()).isEqualTo(Reason.REFUSED);
            assertThat(e.getMessage()).startsWith("GPU 1: illegal MIG layout: ")
                    .contains(MigLayoutValidator.problems(H100, layout).toArray(String[]::new));
            assertThat(fake.calls("nvmlDeviceSetMigMode")).isZero();
        }
    }

    @Test
    void notSupportedOnAGpuWithoutMig() throws Exception {
        FakeNvml.reset(2, "NVIDIA L40S");
        try (NvmlBackend backend = FakeNvml.open()) {
            GpuBackendException e = catchThrowableOfType(GpuBackendException.class,
                    () -> backend.applyMig(1, true, List.of(new MigPlacement("1g.10gb", 0))));
            assertThat(e.reason()).isEqualTo(Reason.NOT_SUPPORTED);
            assertThat(e.getMessage()).isEqualTo("GPU 1 (NVIDIA L40S) does not support MIG");
        }
    }

    @Test
    void aFailureMidwayNamesTheStepAndTheInventoryShowsWhatIsLeft() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open()) {
            fake.fail(2, "nvmlGpuInstanceCreateComputeInstance", Nvml.ERROR_UNKNOWN);
            GpuBackendException e = catchThrowableOfType(GpuBackendException.class, () -> backend.applyMig(2, true,
                    List.of(new MigPlacement("3g.40gb", 4), new MigPlacement("2g.20gb", 0))));
            assertThat(e.reason()).isEqualTo(Reason.DRIVER_ERROR);
            assertThat(e.getMessage()).contains("GPU 2", "create the compute instance of 3g.40gb at 4",
                    "unknown error (NVML 999)");
            assertThat(fake.mig(2)).isEqualTo("9@4+4/0");
            assertThat(backend.inventory().gpus().get(2).mig().instances()).singleElement()
                    .satisfies(i -> assertThat(i.uuid()).as("no compute instance, no MIG device").isNull());

            fake.fail(2, "nvmlGpuInstanceCreateComputeInstance", 0);
            backend.applyMig(2, true, List.of(new MigPlacement("7g.80gb", 0)));
            assertThat(fake.mig(2)).as("the next apply starts clean").isEqualTo("0@0+8/1");
        }
    }

    @Test
    void aModeChangeTheGpuCannotTakeNowIsRefusedWithTheReason() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open()) {
            fake.set(0, "mig_activation", Nvml.ERROR_IN_USE);
            GpuBackendException busy = catchThrowableOfType(GpuBackendException.class,
                    () -> backend.applyMig(0, true, List.of(new MigPlacement("7g.80gb", 0))));
            assertThat(busy.reason()).isEqualTo(Reason.REFUSED);
            assertThat(busy.getMessage()).contains("GPU busy");

            fake.set(1, "mig_activation", Nvml.ERROR_RESET_REQUIRED);
            GpuBackendException reset = catchThrowableOfType(GpuBackendException.class,
                    () -> backend.applyMig(1, true, List.of(new MigPlacement("7g.80gb", 0))));
            assertThat(reset.reason()).isEqualTo(Reason.RESET_REQUIRED);
            assertThat(reset.getMessage()).isEqualTo("GPU 1: MIG on is pending: a GPU reset is needed to apply it "
                    + "(nvidia-smi -r -i 1, or reboot the node)");
            assertThat(fake.mig(1)).isEmpty();
            assertThat(fake.calls("nvmlDeviceCreateGpuInstanceWithPlacement")).as("nothing created on the old mode")
                    .isZero();

            fake.fail(4, "nvmlDeviceSetMigMode", Nvml.ERROR_NO_PERMISSION);
            GpuBackendException permission = catchThrowableOfType(GpuBackendException.class,
                    () -> backend.applyMig(4, true, List.of()));
            assertThat(permission.reason()).isEqualTo(Reason.NO_PERMISSION);
            assertThat(permission.getMessage()).contains("set MIG mode on");
        }
    }

    @Test
    void aLayoutIsTakenDownComputeInstancesFirstWithoutTouchingTheMode() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open()) {
            backend.applyMig(6, true, MigPlanner.plan(H100, Map.of("1g.10gb", 7)));
            long computeDestroyed = fake.calls("nvmlComputeInstanceDestroy");
            long gpuDestroyed = fake.calls("nvmlGpuInstanceDestroy");
            long modeSets = fake.calls("nvmlDeviceSetMigMode");

            backend.applyMig(6, true, List.of(new MigPlacement("3g.40gb", 0), new MigPlacement("3g.40gb", 4)));
            assertThat(fake.calls("nvmlComputeInstanceDestroy") - computeDestroyed).isEqualTo(7);
            assertThat(fake.calls("nvmlGpuInstanceDestroy") - gpuDestroyed).isEqualTo(7);
            assertThat(fake.calls("nvmlDeviceSetMigMode")).as("MIG was on already").isEqualTo(modeSets);
            assertThat(fake.mig(6)).isEqualTo("9@0+4/1;9@4+4/1");
        }
    }

    @Test
    void aFailureWhileDestroyingNamesTheStepAndLeavesTheModeAsItWas() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open()) {
            backend.applyMig(4, true, List.of(new MigPlacement("3g.40gb", 0), new MigPlacement("3g.40gb", 4)));
            fake.fail(4, "nvmlGpuInstanceDestroy", Nvml.ERROR_UNKNOWN);
            GpuBackendException e = catchThrowableOfType(GpuBackendException.class,
                    () -> backend.applyMig(4, false, List.of()));
            assertThat(e.reason()).isEqualTo(Reason.DRIVER_ERROR);
            assertThat(e.getMessage()).contains("GPU 4", "step 'destroy a 3g.40gb GPU instance'",
                    "the GPU may be left partly configured");
            assertThat(fake.mig(4)).as("the compute instance of the first went, both GPU instances stay")
                    .isEqualTo("9@0+4/0;9@4+4/1");
            assertThat(backend.inventory().gpus().get(4).mig().enabled()).isTrue();

            fake.fail(4, "nvmlGpuInstanceDestroy", 0);
            backend.applyMig(4, false, List.of());
            assertThat(backend.inventory().gpus().get(4).mig()).isEqualTo(new MigStatus(true, false, List.of()));
        }
    }

    @Test
    void aModeSwitchThatFailsAfterTheInstancesWentLeavesNoneBehind() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open()) {
            backend.applyMig(2, true, List.of(new MigPlacement("7g.80gb", 0)));
            fake.fail(2, "nvmlDeviceSetMigMode", Nvml.ERROR_UNKNOWN);
            GpuBackendException e = catchThrowableOfType(GpuBackendException.class,
                    () -> backend.applyMig(2, false, List.of()));
            assertThat(e.getMessage()).contains("step 'set MIG mode off'");
            assertThat(fake.mig(2)).isEmpty();
            MigStatus left = backend.inventory().gpus().get(2).mig();
            assertThat(left.enabled()).isTrue();
            assertThat(left.instances()).isEmpty();
        }
    }

    @Test
    void processesOnAMigInstanceRefuseTheChangeToo() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open()) {
            backend.applyMig(1, true, List.of(new MigPlacement("7g.80gb", 0)));
            int gpuInstance = backend.inventory().gpus().get(1).mig().instances().get(0).gpuInstanceId();
            fake.fake_nvml_add_process(1, 5151, FakeNvml.MIB, gpuInstance, 0);
            GpuBackendException e = catchThrowableOfType(GpuBackendException.class,
                    () -> backend.applyMig(1, false, List.of()));
            assertThat(e.reason()).isEqualTo(Reason.REFUSED);
            assertThat(e.getMessage()).contains("pids [5151]");
            assertThat(fake.mig(1)).as("untouched").isEqualTo("0@0+8/1");
        }
    }

    @Test
    void profileIdsComeFromTheDriverNotFromATable() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open()) {
            backend.applyMig(5, true, List.of(new MigPlacement("4g.40gb", 0), new MigPlacement("1g.20gb", 4),
                    new MigPlacement("1g.10gb+me", 6)));
            assertThat(fake.mig(5)).isEqualTo("5@0+4/1;15@4+2/1;20@6+1/1");
            assertThat(fake.calls("nvmlDeviceGetGpuInstanceProfileInfo")).isPositive();
            assertThat(fake.calls("nvmlDeviceGetGpuInstancePossiblePlacements_v2")).isEqualTo(6);
        }
    }

    @Test
    void profileNamesAreTheModelsOwn() throws Exception {
        FakeNvml fake = FakeNvml.reset(2, "NVIDIA A100-SXM4-40GB");
        try (NvmlBackend backend = FakeNvml.open()) {
            backend.applyMig(0, true, List.of(new MigPlacement("3g.20gb", 0), new MigPlacement("3g.20gb", 4)));
            assertThat(fake.mig(0)).isEqualTo("9@0+4/1;9@4+4/1");
            assertThat(backend.inventory().gpus().get(0).mig().instances())
                    .extracting(MigInstance::profile, MigInstance::memoryMiB)
                    .containsExactly(tuple("3g.20gb", 19968L), tuple("3g.20gb", 19968L));
        }
    }
}
