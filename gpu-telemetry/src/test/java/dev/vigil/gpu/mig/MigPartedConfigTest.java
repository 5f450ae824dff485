package dev.vigil.gpu.mig;

import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class MigPartedConfigTest {
    private static final String H100 = "NVIDIA H100 80GB HBM3";

    private static NodeGpu h100(int index) {
        return new NodeGpu(index, H100, "0x233010DE");
    }

    private static NodeGpu a100With40Gb(int index) {
        return new NodeGpu(index, "NVIDIA A100-SXM4-40GB", "0x20B010DE");
    }

    private static NodeGpu a100With80Gb(int index) {
        return new NodeGpu(index, "NVIDIA A100 80GB PCIe", "0x20B510DE");
    }

    private static NodeGpu h200(int index) {
        return new NodeGpu(index, "NVIDIA H200", "0x233510DE");
    }

    private static NodeGpu l40s(int index) {
        return new NodeGpu(index, "NVIDIA L40S", "0x26B910DE");
    }

    private static List<NodeGpu> eightH100() {
        return IntStream.range(0, 8).mapToObj(MigPartedConfigTest::h100).toList();
    }

    private static Path stockFile() {
        try {
            return Path.of(MigPartedConfigTest.class.getResource("/mig/config.yaml").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MigPartedConfig stock() {
        return MigPartedConfig.read(stockFile());
    }

    private static List<String> described(List<MigGpuPlan> plans) {
        return plans.stream().map(MigGpuPlan::describe).toList();
    }

    private static MigPartedConfig inline(String yaml) {
        return MigPartedConfig.parse(yaml, "t.yaml");
    }

    private static String refusal(String yaml) {
        return catchThrowableOfType(InvalidDocumentException.class, () -> inline(yaml)).getMessage();
    }

    private static List<String> planRefusal(MigPartedConfig config, String name, List<NodeGpu> gpus) {
        return catchThrowableOfType(MigPlanException.class, () -> config.plan(name, gpus)).reasons();
    }

    // --- the realistic file --------------------------------------------------------------------------

    @Test
    void readsTheFileWithConfigsInFileOrder() throws Exception {
        assertThat(stock().configNames()).containsExactly("all-disabled", "all-enabled", "all-1g.10gb",
                "all-1g.10gb.me", "all-3g.40gb", "all-balanced", "custom", "compute-split");
        assertThat(MigPartedConfig.parse(Files.readString(stockFile()), "config.yaml").configNames())
                .isEqualTo(stock().configNames());
    }

    @Test
    void allDisabledTurnsMigOffEverywhereEvenOnGpusWithoutMig() {
        List<MigGpuPlan> plans = stock().plan("all-disabled", List.of(l40s(1), h100(0)));
        assertThat(described(plans)).containsExactly(
                "GPU 0 (NVIDIA H100 80GB HBM3): entry [0]: MIG disabled",
                "GPU 1 (NVIDIA L40S): entry [0]: MIG disabled");
        assertThat(plans).allSatisfy(plan -> {
            assertThat(plan.migEnabled()).isFalse();
            assertThat(plan.action()).isEqualTo(MigGpuPlan.Action.DISABLE_MIG);
            assertThat(plan.entry()).isZero();
        });
    }

    @Test
    void allEnabledTurnsMigOnWithoutInstances() {
        List<MigGpuPlan> plans = stock().plan("all-enabled", List.of(h200(0), a100With40Gb(1)));
        assertThat(described(plans)).containsExactly(
                "GPU 0 (NVIDIA H200): entry [0]: MIG enabled, no instances",
                "GPU 1 (NVIDIA A100-SXM4-40GB): entry [0]: MIG enabled, no instances");
        assertThat(plans).allSatisfy(plan -> assertThat(plan.migEnabled()).isTrue());
    }

    @Test
    void deviceFiltersPickOneEntryPerModelAndUnmatchedGpusKeepTheirState() {
        List<MigGpuPlan> plans = stock().plan("all-1g.10gb",
                List.of(h100(0), a100With40Gb(1), a100With80Gb(2), l40s(3), h200(4)));
        assertThat(described(plans)).containsExactly(
                "GPU 0 (NVIDIA H100 80GB HBM3): entry [0]: MIG enabled, 1g.10gb at 0, 1g.10gb at 1, 1g.10gb at 2, "
                        + "1g.10gb at 3, 1g.10gb at 4, 1g.10gb at 5, 1g.10gb at 6",
                "GPU 1 (NVIDIA A100-SXM4-40GB): entry [1]: MIG enabled, 1g.10gb at 0, 1g.10gb at 2, 1g.10gb at 4, 1g.10gb at 6",
                "GPU 2 (NVIDIA A100 80GB PCIe): entry [0]: MIG enabled, 1g.10gb at 0, 1g.10gb at 1, 1g.10gb at 2, "
                        + "1g.10gb at 3, 1g.10gb at 4, 1g.10gb at 5, 1g.10gb at 6",
                "GPU 3 (NVIDIA L40S): no entry selects it; it keeps its current MIG state",
                "GPU 4 (NVIDIA H200): no entry selects it; it keeps its current MIG state");
        assertThat(plans.get(3).action()).isEqualTo(MigGpuPlan.Action.KEEP_CURRENT);
        assertThat(plans.get(3).entry()).isNull();
        assertThat(plans.get(3).migEnabled()).isFalse();
        assertThat(plans.get(1).placements()).allSatisfy(p -> assertThat(p.profile()).isEqualTo("1g.10gb"));
    }

    @Test
    void allBalancedUsesEachModelsOwnNames() {
        List<MigGpuPlan> plans = stock().plan("all-balanced", List.of(h200(0), h100(1), a100With40Gb(2), a100With80Gb(3)));
        assertThat(described(plans)).containsExactly(
                "GPU 0 (NVIDIA H200): entry [0]: MIG enabled, 3g.71gb at 4, 2g.35gb at 0, 1g.18gb at 2, 1g.18gb at 3",
                "GPU 1 (NVIDIA H100 80GB HBM3): entry [1]: MIG enabled, 3g.40gb at 4, 2g.20gb at 0, 1g.10gb at 2, 1g.10gb at 3",
                "GPU 2 (NVIDIA A100-SXM4-40GB): entry [2]: MIG enabled, 3g.20gb at 4, 2g.10gb at 0, 1g.5gb at 2, 1g.5gb at 3",
                "GPU 3 (NVIDIA A100 80GB PCIe): entry [1]: MIG enabled, 3g.40gb at 4, 2g.20gb at 0, 1g.10gb at 2, 1g.10gb at 3");
        for (MigGpuPlan plan : plans) {
            MigGpuModel model = MigGpuModel.of(plan.gpu()).orElseThrow();
            assertThat(MigLayoutValidator.problems(model, plan.placements())).isEmpty();
        }
    }

    @Test
    void anEntryForAModelWithoutATableIsHarmlessUntilItSelectsAGpu() {
        NodeGpu a30 = new NodeGpu(0, "NVIDIA A30", "0x20B710DE");
        assertThat(planRefusal(stock(), "all-balanced", List.of(a30))).containsExactly(
                "mig-configs.all-balanced[3]: GPU 0 (NVIDIA A30): no MIG geometry is known for this GPU "
                        + "(known: A100-40GB, A100-80GB, H100-80GB, H200-141GB)");
    }

    @Test
    void customConfigByIndexWithComputeInstances() {
        List<MigGpuPlan> plans = stock().plan("custom", eightH100());
        assertThat(described(plans)).containsExactly(
                "GPU 0 (NVIDIA H100 80GB HBM3): entry [0]: MIG disabled",
                "GPU 1 (NVIDIA H100 80GB HBM3): entry [0]: MIG disabled",
                "GPU 2 (NVIDIA H100 80GB HBM3): entry [0]: MIG disabled",
                "GPU 3 (NVIDIA H100 80GB HBM3): entry [0]: MIG disabled",
                "GPU 4 (NVIDIA H100 80GB HBM3): entry [1]: MIG enabled, 3g.40gb at 4, 4g.40gb at 0",
                "GPU 5 (NVIDIA H100 80GB HBM3): entry [1]: MIG enabled, 3g.40gb at 4, 4g.40gb at 0",
                "GPU 6 (NVIDIA H100 80GB HBM3): entry [2]: MIG enabled, "
                        + "3g.40gb at 0 [1c.3g.40gb, 1c.3g.40gb, 1c.3g.40gb], 3g.40gb at 4 [1c.3g.40gb, 1c.3g.40gb, 1c.3g.40gb]",
                "GPU 7 (NVIDIA H100 80GB HBM3): no entry selects it; it keeps its current MIG state");
        assertThat(plans.get(6).instances().get(0).computeInstances()).containsExactly("1c.3g.40gb", "1c.3g.40gb", "1c.3g.40gb");
        assertThat(plans.get(4).instances().get(0).computeInstances()).containsExactly("3g.40gb");
    }

    // --- the Nc. prefix ------------------------------------------------------------------------------

    @Test
    void computeInstancesArePackedOntoAsFewGpuInstancesAsHoldThem() {
        List<MigGpuPlan> plans = stock().plan("compute-split", List.of(h100(0)));
        assertThat(plans.get(0).instances()).extracting(MigGpuPlan.Instance::toString).containsExactly(
                "3g.40gb at 0 [2c.3g.40gb, 1c.3g.40gb]", "3g.40gb at 4 [2c.3g.40gb, 1c.3g.40gb]");
    }

    private static String oneEntry(String devices) {
        return "version: v1\nmig-configs:\n  x:\n    - devices: all\n      mig-enabled: true\n      mig-devices:\n" + devices;
    }

    @Test
    void computeInstancePacking() {
        assertThat(described(inline(oneEntry("        \"1c.7g.80gb\": 3\n        \"4c.7g.80gb\": 1\n")).plan("x", List.of(h100(0)))))
                .containsExactly("GPU 0 (NVIDIA H100 80GB HBM3): entry [0]: MIG enabled, "
                        + "7g.80gb at 0 [4c.7g.80gb, 1c.7g.80gb, 1c.7g.80gb, 1c.7g.80gb]");
        assertThat(described(inline(oneEntry("        \"1c.2g.20gb\": 3\n        \"2g.20gb\": 1\n")).plan("x", List.of(h100(0)))))
                .containsExactly("GPU 0 (NVIDIA H100 80GB HBM3): entry [0]: MIG enabled, "
                        + "2g.20gb at 0, 2g.20gb at 2 [1c.2g.20gb, 1c.2g.20gb], 2g.20gb at 4 [1c.2g.20gb]");
        // Nc. equal to the GPU instance's own size is the plain profile; +me keeps its suffix.
        assertThat(described(inline(oneEntry("        \"3c.3g.40gb\": 2\n")).plan("x", List.of(h100(0)))))
                .containsExactly("GPU 0 (NVIDIA H100 80GB HBM3): entry [0]: MIG enabled, 3g.40gb at 0, 3g.40gb at 4");
        assertThat(inline(oneEntry("        \"1c.1g.10gb+me\": 1\n")).plan("x", List.of(h100(0))).get(0).instances())
                .containsExactly(new MigGpuPlan.Instance(new MigPlacement("1g.10gb+me", 0), List.of("1g.10gb+me")));
    }

    @Test
    void packingsAreExplainedInTheModelsProfileOrder() {
        assertThat(planRefusal(inline(oneEntry("        \"1c.4g.40gb\": 2\n        \"2c.3g.40gb\": 3\n")), "x",
                List.of(h100(0)))).containsExactly("mig-configs.x[0]: GPU 0 (NVIDIA H100 80GB HBM3): 3×3g.40gb: at most 2 "
                + "allowed (packing 3×2c.3g.40gb onto 3×3g.40gb, 2×1c.4g.40gb onto 1×4g.40gb)");
    }

    @Test
    void aPlanListsItsGpuInstancesInCreationOrder() {
        MigGpuPlan plan = inline(oneEntry("        \"1g.10gb\": 1\n        \"3g.40gb\": 1\n")).plan("x", List.of(h100(0)))
                .get(0);
        assertThat(plan.placements()).containsExactly(new MigPlacement("3g.40gb", 0), new MigPlacement("1g.10gb", 4));
        assertThat(plan.migEnabled()).isTrue();
    }

    @Test
    void aDocumentChecksItsVersionAndSaysWhenItIsMissing() {
        assertThatThrownBy(() -> new MigPartedDocument("v2", null)).isInstanceOf(InvalidValueException.class)
                .hasMessage("version: \"v2\" is not allowed (allowed: v1)");
        MigPartedDocument noVersion = new MigPartedDocument(null, Map.of("a", List.of(
                new MigPartedEntry("all", null, false, null))));
        assertThatThrownBy(noVersion::requireComplete).isInstanceOf(InvalidValueException.class)
                .hasMessage("version: missing (required: v1)");
    }

    @Test
    void computeInstancesThatDoNotFitAreRefusedWithTheirPacking() {
        assertThat(planRefusal(inline(oneEntry("        \"1c.3g.40gb\": 7\n")), "x", List.of(h100(0)))).containsExactly(
                "mig-configs.x[0]: GPU 0 (NVIDIA H100 80GB HBM3): 3×3g.40gb: at most 2 allowed "
                        + "(packing 7×1c.3g.40gb onto 3×3g.40gb)");
        assertThat(planRefusal(inline(oneEntry("        \"4c.3g.40gb\": 1\n        \"3c.4g.40gb\": 1\n        \"2c.1g.10gb\": 1\n")),
                "x", List.of(h100(0)))).containsExactly(
                "mig-configs.x[0]: GPU 0 (NVIDIA H100 80GB HBM3): 4c.3g.40gb: a 3g.40gb GPU instance offers compute instances of 1c, 2c or 3c",
                "mig-configs.x[0]: GPU 0 (NVIDIA H100 80GB HBM3): 3c.4g.40gb: a 4g.40gb GPU instance offers compute instances of 1c, 2c or 4c",
                "mig-configs.x[0]: GPU 0 (NVIDIA H100 80GB HBM3): 2c.1g.10gb: a 1g.10gb GPU instance offers compute instances of 1c");
    }

    // --- plan-time errors ----------------------------------------------------------------------------

    @Test
    void aProfileTheGpusModelLacksIsNamedWithTheModelsProfiles() {
        MigPartedConfig config = inline(oneEntry("        \"1g.10gb\": 7\n        \"1g.24gb+gfx\": 1\n"));
        assertThat(planRefusal(config, "x", List.of(h200(0)))).containsExactly(
                "mig-configs.x[0]: GPU 0 (NVIDIA H200): unknown profile 1g.10gb on H200-141GB "
                        + "(profiles: 1g.18gb, 1g.18gb+me, 1g.35gb, 2g.35gb, 3g.71gb, 4g.71gb, 7g.141gb)",
                "mig-configs.x[0]: GPU 0 (NVIDIA H200): unknown profile 1g.24gb+gfx on H200-141GB "
                        + "(profiles: 1g.18gb, 1g.18gb+me, 1g.35gb, 2g.35gb, 3g.71gb, 4g.71gb, 7g.141gb)");
    }

    @Test
    void anImpossibleLayoutNamesConfigEntryGpuAndRule() {
        MigPartedConfig config = inline("""
                version: v1
                mig-configs:
                  custom:
                    - devices: [0, 1, 2]
                      mig-enabled: false
                    - devices: [3]
                      mig-enabled: true
                      mig-devices: {"4g.40gb": 2}
                """);
        MigPlanException e = catchThrowableOfType(MigPlanException.class, () -> config.plan("custom", List.of(h100(0), h100(1), h100(2), h100(3))));
        assertThat(e.reasons()).containsExactly("mig-configs.custom[1]: GPU 3 (NVIDIA H100 80GB HBM3): 2×4g.40gb: at most 1 allowed");
        assertThat(e).hasMessage("mig-config custom from t.yaml cannot be applied: "
                + "mig-configs.custom[1]: GPU 3 (NVIDIA H100 80GB HBM3): 2×4g.40gb: at most 1 allowed");
    }

    @Test
    void indicesTheNodeDoesNotHaveAreErrors() {
        List<NodeGpu> fourGpus = List.of(h100(0), h100(1), h100(2), h100(3));
        assertThat(planRefusal(stock(), "custom", fourGpus)).containsExactly(
                "mig-configs.custom[1]: devices lists GPU 4, but the node has GPUs 0-3",
                "mig-configs.custom[1]: devices lists GPU 5, but the node has GPUs 0-3",
                "mig-configs.custom[2]: devices lists GPU 6, but the node has GPUs 0-3");
        assertThat(planRefusal(stock(), "custom", List.of(h100(0), h100(2), h100(3), h100(5), h100(6), h100(7))))
                .containsExactly("mig-configs.custom[0]: devices lists GPU 1, but the node has GPUs 0, 2-3, 5-7",
                        "mig-configs.custom[1]: devices lists GPU 4, but the node has GPUs 0, 2-3, 5-7");
        assertThat(planRefusal(stock(), "custom", List.of())).hasSize(7).first()
                .isEqualTo("mig-configs.custom[0]: devices lists GPU 0, but the node has no GPUs");
    }

    @Test
    void aGpuSelectedByTwoEntriesIsAnError() {
        MigPartedConfig config = inline("""
                version: v1
                mig-configs:
                  overlap:
                    - devices: all
                      mig-enabled: false
                    - devices: [1]
                      device-filter: "0x233010DE"
                      mig-enabled: true
                      mig-devices: {}
                    - devices: [1]
                      device-filter: ["0x20B010DE"]
                      mig-enabled: true
                      mig-devices: {}
                """);
        assertThat(planRefusal(config, "overlap", List.of(h100(0), h100(1)))).containsExactly(
                "mig-configs.overlap: GPU 1 (NVIDIA H100 80GB HBM3) is selected by entries [0] and [1]; "
                        + "at most one entry may select a GPU");
        assertThat(config.plan("overlap", List.of(h100(0), a100With80Gb(1))))
                .extracting(MigGpuPlan::action).containsOnly(MigGpuPlan.Action.DISABLE_MIG);
    }

    @Test
    void everyProblemOfTheNodeIsReportedAtOnce() {
        assertThat(planRefusal(stock(), "all-3g.40gb", List.of(h100(0), l40s(1), h200(2), a100With40Gb(3)))).containsExactly(
                "mig-configs.all-3g.40gb[0]: GPU 1 (NVIDIA L40S): no MIG geometry is known for this GPU "
                        + "(known: A100-40GB, A100-80GB, H100-80GB, H200-141GB)",
                "mig-configs.all-3g.40gb[0]: GPU 2 (NVIDIA H200): unknown profile 3g.40gb on H200-141GB "
                        + "(profiles: 1g.18gb, 1g.18gb+me, 1g.35gb, 2g.35gb, 3g.71gb, 4g.71gb, 7g.141gb)",
                "mig-configs.all-3g.40gb[0]: GPU 3 (NVIDIA A100-SXM4-40GB): unknown profile 3g.40gb on A100-40GB "
                        + "(profiles: 1g.5gb, 1g.5gb+me, 1g.10gb, 2g.10gb, 3g.20gb, 4g.20gb, 7g.40gb)");
    }

    @Test
    void anUnknownConfigNameListsTheAvailableOnes() {
        MigPlanException e = catchThrowableOfType(MigPlanException.class, () -> stock().plan("all-2g.20gb", eightH100()));
        assertThat(e.reasons()).containsExactly("no mig-config named all-2g.20gb in " + stockFile()
                + " (available: all-disabled, all-enabled, all-1g.10gb, all-1g.10gb.me, all-3g.40gb, all-balanced, custom, compute-split)");
    }

    @Test
    void theNodesGpuIndicesMustBeDistinct() {
        assertThatThrownBy(() -> stock().plan("all-disabled", List.of(h100(0), h100(0))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("GPU index 0 appears twice in the node's GPUs");
    }

    // --- document errors -----------------------------------------------------------------------------

    @Test
    void onlyVersionOneIsAccepted() {
        assertThat(refusal("version: v2\nmig-configs:\n  a:\n    - devices: all\n      mig-enabled: false\n"))
                .isEqualTo("t.yaml: version: \"v2\" is not allowed (allowed: v1)");
        assertThat(refusal("mig-configs:\n  a:\n    - devices: all\n      mig-enabled: false\n"))
                .isEqualTo("t.yaml: version: missing (required: v1)");
        // The version is judged before anything a later version might have added.
        assertThat(refusal("version: v2\nmig-configs:\n  a:\n    - devices: all\n      gpu-filter: [\"x\"]\n      mig-enabled: false\n"))
                .isEqualTo("t.yaml: version: \"v2\" is not allowed (allowed: v1)");
        assertThat(refusal("")).isEqualTo("t.yaml: version: missing (required: v1)");
    }

    @Test
    void unknownKeysAreRefusedWithTheAllowedOnes() {
        assertThat(refusal("version: v1\nmig-config:\n  a: []\n"))
                .isEqualTo("t.yaml: unknown key \"mig-config\" (allowed keys: mig-configs, version)");
        assertThat(refusal("version: v1\nmig-configs:\n  all-1g.10gb:\n    - devices: all\n      mig-enabled: true\n      mig-device: {}\n"))
                .isEqualTo("t.yaml: unknown key \"mig-configs.all-1g.10gb[0].mig-device\" "
                        + "(allowed keys under mig-configs.all-1g.10gb[0]: device-filter, devices, mig-devices, mig-enabled)");
        // A misspelt required key is reported as what it is, not as the key it was meant to be.
        assertThat(refusal("version: v1\nmig-configs:\n  a:\n    - devices: all\n      mig-enable: false\n"))
                .isEqualTo("t.yaml: unknown key \"mig-configs.a[0].mig-enable\" "
                        + "(allowed keys under mig-configs.a[0]: device-filter, devices, mig-devices, mig-enabled)");
    }

    @Test
    void configsNeedEntries() {
        assertThat(refusal("version: v1\nmig-configs:\n  a: []\n"))
                .isEqualTo("t.yaml: mig-configs.a: \"[]\" is not allowed (allowed: a list of at least one entry)");
        assertThat(refusal("version: v1\nmig-configs:\n  a:\n"))
                .isEqualTo("t.yaml: mig-configs.a: wrong kind of value (allowed: a list)");
        assertThat(refusal("version: v1\nmig-configs:\n  a:\n    -\n"))
                .isEqualTo("t.yaml: mig-configs.a[0]: \"\" is not allowed (allowed: a mapping of keys)");
        assertThat(refusal("version: v1\nmig-configs:\n  a:\n    - null\n"))
                .isEqualTo("t.yaml: mig-configs.a[0]: missing (required: an entry with devices and mig-enabled)");
        assertThat(refusal("version: v1\nmig-configs: {}\n"))
                .isEqualTo("t.yaml: mig-configs: \"{}\" is not allowed (allowed: at least one config)");
        assertThat(refusal("version: v1\n"))
                .isEqualTo("t.yaml: mig-configs: missing (required: a mapping of config name to a list of entries)");
    }

    private static String entry(String body) {
        return refusal("version: v1\nmig-configs:\n  a:\n    - " + body.replace("\n", "\n      ") + "\n");
    }

    @Test
    void devicesAreAllOrAListOfIndices() {
        String allowed = " (allowed: all, or a list of GPU indices such as [0, 1])";
        assertThat(entry("devices: some\nmig-enabled: false"))
                .isEqualTo("t.yaml: mig-configs.a[0].devices: \"some\" is not allowed" + allowed);
        assertThat(entry("devices: [0, -1]\nmig-enabled: false"))
                .isEqualTo("t.yaml: mig-configs.a[0].devices: \"[0, -1]\" is not allowed" + allowed);
        assertThat(entry("devices: 3\nmig-enabled: false"))
                .isEqualTo("t.yaml: mig-configs.a[0].devices: \"3\" is not allowed" + allowed);
        assertThat(entry("mig-enabled: false"))
                .isEqualTo("t.yaml: mig-configs.a[0].devices: missing (required: all, or a list of GPU indices such as [0, 1])");
    }

    @Test
    void deviceFiltersAreFullDeviceIds() {
        String allowed = " (allowed: a PCI device id such as 0x233010DE, or a list of them (leave device-filter out to select every model))";
        assertThat(entry("devices: all\ndevice-filter: \"\"\nmig-enabled: false"))
                .isEqualTo("t.yaml: mig-configs.a[0].device-filter: \"\" is not allowed" + allowed);
        assertThat(entry("devices: all\ndevice-filter: []\nmig-enabled: false"))
                .isEqualTo("t.yaml: mig-configs.a[0].device-filter: \"[]\" is not allowed" + allowed);
        assertThat(entry("devices: all\ndevice-filter: [\"0x233010DE\", \"0x2330\"]\nmig-enabled: false"))
                .isEqualTo("t.yaml: mig-configs.a[0].device-filter: \"0x2330\" is not allowed" + allowed);
        MigPartedConfig lowerCase = inline("version: v1\nmig-configs:\n  a:\n    - devices: all\n"
                + "      device-filter: \"0x233010de\"\n      mig-enabled: false\n");
        assertThat(lowerCase.plan("a", List.of(h100(0)))).extracting(MigGpuPlan::action)
                .containsExactly(MigGpuPlan.Action.DISABLE_MIG);
    }

    @Test
    void migEnabledAndMigDevicesMustAgree() {
        assertThat(entry("devices: all"))
                .isEqualTo("t.yaml: mig-configs.a[0].mig-enabled: missing (required: true or false)");
        assertThat(entry("devices: all\nmig-enabled: true")).isEqualTo("t.yaml: mig-configs.a[0].mig-devices: missing "
                + "(required: a mapping of profile to count ({} for none) when mig-enabled is true)");
        assertThat(entry("devices: all\nmig-enabled: false\nmig-devices: {\"3g.40gb\": 2}"))
                .isEqualTo("t.yaml: mig-configs.a[0].mig-devices: \"{3g.40gb=2}\" is not allowed "
                        + "(allowed: no MIG devices when mig-enabled is false)");
        assertThat(inline("version: v1\nmig-configs:\n  a:\n    - devices: all\n      mig-enabled: false\n      mig-devices: {}\n")
                .plan("a", List.of(h100(0)))).extracting(MigGpuPlan::action).containsExactly(MigGpuPlan.Action.DISABLE_MIG);
        assertThat(entry("devices: all\nmig-enabled: maybe")).startsWith("t.yaml: mig-configs.a[0].mig-enabled: ")
                .contains("true or false");
    }

    @Test
    void migDevicesAreProfilesWithCounts() {
        assertThat(entry("devices: all\nmig-enabled: true\nmig-devices: {\"3g\": 2}"))
                .isEqualTo("t.yaml: mig-configs.a[0].mig-devices: \"3g\" is not allowed "
                        + "(allowed: a MIG profile such as 1g.10gb, 1g.10gb+me or 1c.3g.40gb)");
        assertThat(entry("devices: all\nmig-enabled: true\nmig-devices: {\"3g.40gb\": -1}"))
                .isEqualTo("t.yaml: mig-configs.a[0].mig-devices.3g.40gb: \"-1\" is not allowed (allowed: a count of 0 or more)");
        assertThat(entry("devices: all\nmig-enabled: true\nmig-devices: {\"0c.3g.40gb\": 1}"))
                .contains("mig-devices: \"0c.3g.40gb\" is not allowed");
    }

    @Test
    void duplicateKeysAreRefused() {
        assertThat(refusal("version: v1\nmig-configs:\n  a:\n    - devices: all\n      mig-enabled: false\n"
                + "  a:\n    - devices: all\n      mig-enabled: true\n      mig-devices: {}\n"))
                .startsWith("t.yaml: ").containsIgnoringCase("duplicate");
    }

    @Test
    void aMissingFileIsADocumentError() {
        Path missing = stockFile().resolveSibling("no-such-config.yaml");
        assertThatThrownBy(() -> MigPartedConfig.read(missing))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessageContaining("file not found");
    }
}
