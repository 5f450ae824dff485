package dev.vigil.gpu.mig;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MIG configs Vigil ships: each one plans on every known model it has an entry for, to the
 * layout its comment promises, and leaves the other models alone.
 */
class ShippedMigConfigsTest {
    /** One GPU of each known model, recognised by its PCI device id. */
    private static final Map<MigGpuModel, NodeGpu> GPUS = Map.of(
            MigGpuModel.A100_40GB, new NodeGpu(0, "NVIDIA A100-SXM4-40GB", "0x20B010DE"),
            MigGpuModel.A100_80GB, new NodeGpu(0, "NVIDIA A100-SXM4-80GB", "0x20B210DE"),
            MigGpuModel.H100_80GB, new NodeGpu(0, "NVIDIA H100 80GB HBM3", "0x233010DE"),
            MigGpuModel.H200_141GB, new NodeGpu(0, "NVIDIA H200", "0x233510DE"));

    @Test
    void theFileParsesWithTheConfigsInItsOrder() {
        assertThat(MigPartedConfig.shipped().configNames()).containsExactly("all-disabled", "all-1g.10gb",
                "all-3g.40gb", "all-balanced", "all-3g.20gb", "all-1g.18gb", "all-3g.71gb");
    }

    @Test
    void theTestGpusAreTheModelsTheyStandFor() {
        GPUS.forEach((model, gpu) -> assertThat(MigGpuModel.of(gpu)).as(gpu.toString()).contains(model));
    }

    @Test
    void everyConfigPlansOnEveryModelToItsLayoutOrLeavesAModelWithoutAnEntryAlone() {
        Map<String, String> layouts = new TreeMap<>();
        MigPartedConfig shipped = MigPartedConfig.shipped();
        for (String config : shipped.configNames()) {
            GPUS.forEach((model, gpu) -> layouts.put(config + " on " + model,
                    layout(shipped.plan(config, List.of(gpu)).get(0))));
        }
        String a100x40 = " on A100-40GB";
        String a100x80 = " on A100-80GB";
        String h100 = " on H100-80GB";
        String h200 = " on H200-141GB";
        String keep = "keeps its layout";
        assertThat(layouts).containsExactlyInAnyOrderEntriesOf(new TreeMap<>(Map.ofEntries(
                Map.entry("all-disabled" + a100x40, "MIG off"),
                Map.entry("all-disabled" + a100x80, "MIG off"),
                Map.entry("all-disabled" + h100, "MIG off"),
                Map.entry("all-disabled" + h200, "MIG off"),
                Map.entry("all-1g.10gb" + a100x40, "1g.10gb at 0, 1g.10gb at 2, 1g.10gb at 4, 1g.10gb at 6"),
                Map.entry("all-1g.10gb" + a100x80, sevenOf("1g.10gb")),
                Map.entry("all-1g.10gb" + h100, sevenOf("1g.10gb")),
                Map.entry("all-1g.10gb" + h200, keep),
                Map.entry("all-3g.40gb" + a100x40, keep),
                Map.entry("all-3g.40gb" + a100x80, "3g.40gb at 0, 3g.40gb at 4"),
                Map.entry("all-3g.40gb" + h100, "3g.40gb at 0, 3g.40gb at 4"),
                Map.entry("all-3g.40gb" + h200, keep),
                Map.entry("all-balanced" + a100x40, balanced("1g.5gb", "2g.10gb", "3g.20gb")),
                Map.entry("all-balanced" + a100x80, balanced("1g.10gb", "2g.20gb", "3g.40gb")),
                Map.entry("all-balanced" + h100, balanced("1g.10gb", "2g.20gb", "3g.40gb")),
                Map.entry("all-balanced" + h200, balanced("1g.18gb", "2g.35gb", "3g.71gb")),
                Map.entry("all-3g.20gb" + a100x40, "3g.20gb at 0, 3g.20gb at 4"),
                Map.entry("all-3g.20gb" + a100x80, keep),
                Map.entry("all-3g.20gb" + h100, keep),
                Map.entry("all-3g.20gb" + h200, keep),
                Map.entry("all-1g.18gb" + a100x40, keep),
                Map.entry("all-1g.18gb" + a100x80, keep),
                Map.entry("all-1g.18gb" + h100, keep),
                Map.entry("all-1g.18gb" + h200, sevenOf("1g.18gb")),
                Map.entry("all-3g.71gb" + a100x40, keep),
                Map.entry("all-3g.71gb" + a100x80, keep),
                Map.entry("all-3g.71gb" + h100, keep),
                Map.entry("all-3g.71gb" + h200, "3g.71gb at 0, 3g.71gb at 4"))));
    }

    @Test
    void aNodeOfEightGpusPlansEveryGpuAlike() {
        List<NodeGpu> node = IntStream.range(0, 8).mapToObj(i -> new NodeGpu(i, "NVIDIA H100 80GB HBM3", "0x233010DE"))
                .toList();
        List<MigGpuPlan> plans = MigPartedConfig.shipped().plan("all-1g.10gb", node);
        assertThat(plans).extracting(plan -> plan.gpu().index()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(plans).extracting(ShippedMigConfigsTest::layout).containsOnly(sevenOf("1g.10gb"));
    }

    private static String layout(MigGpuPlan plan) {
        return switch (plan.action()) {
            case KEEP_CURRENT -> "keeps its layout";
            case DISABLE_MIG -> "MIG off";
            case ENABLE_MIG -> String.join(", ", plan.instances().stream().map(MigGpuPlan.Instance::toString).toList());
        };
    }

    private static String sevenOf(String profile) {
        return String.join(", ", IntStream.range(0, 7).mapToObj(start -> profile + " at " + start).toList());
    }

    /**
     * A 3g on the upper half, a 2g and two 1g on the lower (slice 7 starts no 1g), in creation order:
     * the 3g first, as the MIG guide asks.
     */
    private static String balanced(String oneSlice, String twoSlices, String fourSlices) {
        return fourSlices + " at 4, " + twoSlices + " at 0, " + oneSlice + " at 2, " + oneSlice + " at 3";
    }
}
