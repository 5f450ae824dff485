package dev.vigil.controller.mig;

import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.api.mig.MigConfigSummary;
import dev.vigil.controller.config.MigSettings;
import dev.vigil.gpu.mig.MigGpuPlan;
import dev.vigil.gpu.mig.MigPartedConfig;
import dev.vigil.gpu.mig.MigPlanException;
import dev.vigil.scheduler.mig.Layout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The named configs as the controller uses them: summaries per model, plans, layouts for the advisor. */
class MigConfigsTest {
    private static final MigConfigs SHIPPED = MigConfigs.load(MigSettings.defaults());

    private static GpuDevice gpu(int index, String model, String pciDeviceId, MigStatus mig) {
        return new GpuDevice(index, "GPU-" + index, model, "00000000:1" + index + ":00.0", pciDeviceId, 81_920, 0,
                "0-55", 18, List.of(), mig);
    }

    @Test
    void summariesSayWhatEachConfigMakesOfEachModelItHasAnEntryFor() {
        Map<String, List<MigConfigSummary.ModelLayout>> byName = new LinkedHashMap<>();
        SHIPPED.summaries().forEach(s -> byName.put(s.name(), s.layouts()));

        assertThat(byName.keySet()).startsWith("all-disabled", "all-1g.10gb", "all-3g.40gb", "all-balanced");
        assertThat(byName.get("all-1g.10gb")).containsExactly(
                new MigConfigSummary.ModelLayout("A100-40GB", "MIG on: 4×1g.10gb"),
                new MigConfigSummary.ModelLayout("A100-80GB", "MIG on: 7×1g.10gb"),
                new MigConfigSummary.ModelLayout("H100-80GB", "MIG on: 7×1g.10gb"));
        assertThat(byName.get("all-disabled")).extracting(MigConfigSummary.ModelLayout::layout).containsOnly("MIG off")
                .hasSize(4);
        assertThat(byName.get("all-balanced")).contains(
                new MigConfigSummary.ModelLayout("H100-80GB", "MIG on: 1×3g.40gb, 1×2g.20gb, 2×1g.10gb"));
    }

    @Test
    void aConfigThatFitsNoModelIsListedWithoutLayouts() {
        MigConfigs configs = new MigConfigs(MigPartedConfig.parse("""
                version: v1
                mig-configs:
                  too-big:
                    - devices: all
                      mig-enabled: true
                      mig-devices: {"7g.80gb": 2}
                """, "test"));

        assertThat(configs.summaries()).containsExactly(new MigConfigSummary("too-big", List.of()));
        assertThat(configs.layouts(List.of(gpu(0, "NVIDIA H100 80GB HBM3", "0x233010DE", MigStatus.notCapable()))))
                .isEqualTo(Map.of("NVIDIA H100 80GB HBM3", List.of()));
    }

    @Test
    void plansAreByGpuIndexAndAnUnknownNameListsTheKnownOnes() {
        List<GpuDevice> gpus = List.of(gpu(0, "NVIDIA H100 80GB HBM3", "0x233010DE", MigStatus.notCapable()),
                gpu(1, "NVIDIA H100 80GB HBM3", "0x233010DE", MigStatus.notCapable()));

        Map<Integer, MigGpuPlan> plans = SHIPPED.plan("all-3g.40gb", gpus);

        assertThat(plans.keySet()).containsExactly(0, 1);
        assertThat(MigConfigs.describe(plans.get(1))).isEqualTo("MIG on: 2×3g.40gb");
        assertThatThrownBy(() -> SHIPPED.plan("all-9g", gpus)).isInstanceOf(MigPlanException.class)
                .hasMessageContaining("no mig-config named all-9g").hasMessageContaining("all-1g.10gb");
    }

    @Test
    void layoutsGiveTheAdvisorEachModelsShapesByProductName() {
        GpuDevice h100 = gpu(0, "NVIDIA H100 80GB HBM3", "0x233010DE", MigStatus.notCapable());
        GpuDevice l40s = gpu(1, "NVIDIA L40S", "0x26B910DE", MigStatus.notCapable());

        Map<String, List<Layout>> layouts = SHIPPED.layouts(List.of(h100, h100, l40s));

        assertThat(layouts.get("NVIDIA H100 80GB HBM3")).contains(new Layout("all-disabled", List.of()),
                new Layout("all-1g.10gb", Collections.nCopies(7, "1g.10gb")),
                new Layout("all-3g.40gb", List.of("3g.40gb", "3g.40gb")));
        assertThat(layouts.get("NVIDIA L40S")).containsExactly(new Layout("all-disabled", List.of()));
    }

    @Test
    void aGpusLayoutIsDescribedAsTheCliShowsIt() {
        assertThat(MigConfigs.describe(MigStatus.notCapable())).isEqualTo("no MIG");
        assertThat(MigConfigs.describe((MigStatus) null)).isEqualTo("no MIG");
        assertThat(MigConfigs.describe(new MigStatus(true, false, List.of()))).isEqualTo("MIG off");
        assertThat(MigConfigs.describe(new MigStatus(true, true, List.of()))).isEqualTo("MIG on: no instances");
        assertThat(MigConfigs.describe(new MigStatus(true, true, List.of(new MigInstance(1, "3g.40gb", 0, 4, "MIG-a", 1),
                new MigInstance(2, "1g.10gb", 4, 1, "MIG-b", 1), new MigInstance(3, "1g.10gb", 5, 1, "MIG-c", 1)))))
                .isEqualTo("MIG on: 1×3g.40gb, 2×1g.10gb");
    }

    @Test
    void aConfigFileNamedInTheSettingsIsReadAndAnEntryForAGpuAnHgxBoardLacksIsNotOffered(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("mig.yaml");
        Files.writeString(file, """
                version: v1
                mig-configs:
                  ninth-gpu:
                    - devices: [8]
                      mig-enabled: false
                  first-gpu:
                    - devices: [0]
                      mig-enabled: false
                """);

        MigConfigs configs = MigConfigs.load(new MigSettings(file, null, null, null));

        assertThat(configs.names()).containsExactly("ninth-gpu", "first-gpu");
        assertThat(configs.summaries().get(0).layouts()).as("an 8-GPU board has no GPU 8").isEmpty();
        assertThat(configs.summaries().get(1).layouts()).hasSize(4);
    }
}
