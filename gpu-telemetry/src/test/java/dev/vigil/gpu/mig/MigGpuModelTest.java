package dev.vigil.gpu.mig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MigGpuModelTest {

    @ParameterizedTest
    @EnumSource(MigGpuModel.class)
    void profileTableIsTheGuides(MigGpuModel model) {
        List<GuideTable.Row> expected = GuideTable.rows(model);
        assertThat(model.profiles()).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            GuideTable.Row row = expected.get(i);
            MigProfile profile = model.profiles().get(i);
            assertThat(profile.name()).isEqualTo(row.name());
            assertThat(profile.profileId()).as(row.name()).isEqualTo(row.id());
            assertThat(profile.memorySlices()).as(row.name()).isEqualTo(row.memorySlices());
            assertThat(profile.computeSlices()).as(row.name()).isEqualTo(row.computeSlices());
            assertThat(profile.maxCount()).as(row.name()).isEqualTo(row.max());
            assertThat(profile.starts()).as(row.name()).isEqualTo(row.starts());
            assertThat(profile.mediaExtensions()).as(row.name()).isEqualTo(row.me());
        }
    }

    @ParameterizedTest
    @EnumSource(MigGpuModel.class)
    void everyPlacementFitsInsideTheEightMemorySlices(MigGpuModel model) {
        for (MigProfile profile : model.profiles()) {
            for (int start : profile.starts()) {
                assertThat(start + profile.memorySlices()).as(profile.name() + " at " + start)
                        .isLessThanOrEqualTo(MigGpuModel.MEMORY_SLICES);
                assertThat(Integer.bitCount(profile.mask(start))).isEqualTo(profile.memorySlices());
            }
        }
    }

    @Test
    void memoryFiguresFollowTheCapturedNvidiaSmiOutputs() {
        // nvidia-smi mig -lgip: A100-40GB 4.75 / 9.75 / 19.62 / 39.50 GiB, H100-80GB 9.75 / 19.62 / 39.50 / 79.25 GiB
        assertThat(model(MigGpuModel.A100_40GB)).containsExactly(4864L, 4864L, 9984L, 9984L, 20096L, 20096L, 40448L);
        assertThat(model(MigGpuModel.H100_80GB)).containsExactly(9984L, 9984L, 20096L, 20096L, 40448L, 40448L, 81152L);
        for (MigGpuModel gpu : MigGpuModel.values()) {
            for (MigProfile small : gpu.profiles()) {
                for (MigProfile large : gpu.profiles()) {
                    if (small.memorySlices() < large.memorySlices()) {
                        assertThat(small.memoryMiB()).as(gpu + ": " + small.name() + " vs " + large.name())
                                .isLessThan(large.memoryMiB());
                    }
                }
            }
        }
    }

    private static List<Long> model(MigGpuModel model) {
        return model.profiles().stream().map(MigProfile::memoryMiB).toList();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "NVIDIA A100-SXM4-40GB | A100_40GB",
            "NVIDIA A100-PCIE-40GB | A100_40GB",
            "NVIDIA A100-SXM4-80GB | A100_80GB",
            "NVIDIA A100 80GB PCIe | A100_80GB",
            "NVIDIA H100 80GB HBM3 | H100_80GB",
            "NVIDIA H100 PCIe | H100_80GB",
            "NVIDIA H800 80GB HBM3 | H100_80GB",
            "NVIDIA H200 | H200_141GB",
            "NVIDIA H200 NVL | H200_141GB",
            "A100-SXM4-40GB | A100_40GB",
            "NVIDIA-H100-80GB-HBM3 | H100_80GB",
            "'  nvidia   h100 80gb  hbm3 ' | H100_80GB",
    })
    void productNamesAsNvmlAndGfdWriteThem(String productName, MigGpuModel expected) {
        assertThat(MigGpuModel.forProductName(productName)).contains(expected);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"NVIDIA L40S", "NVIDIA H100 NVL", "NVIDIA A30", "NVIDIA B200", "NVIDIA GH200 480GB",
            "Tesla V100-SXM2-32GB", "NVIDIA A100-SXM4-40GB-MIG-1g.5gb", "NVIDIA H100"})
    void productsWithoutAKnownTableAreEmpty(String productName) {
        assertThat(MigGpuModel.forProductName(productName)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0x20B010DE | A100_40GB",
            "0x20b010de | A100_40GB",
            "20B010DE | A100_40GB",
            "0x20B110DE | A100_40GB",
            "0x20F110DE | A100_40GB",
            "0x20B210DE | A100_80GB",
            "0x20B510DE | A100_80GB",
            "0x233010DE | H100_80GB",
            "0x233110DE | H100_80GB",
            "0x233510DE | H200_141GB",
            "0x233B10DE | H200_141GB",
    })
    void pciDeviceIdsAsMigPartedWritesThem(String id, MigGpuModel expected) {
        assertThat(MigGpuModel.forPciDeviceId(id)).contains(expected);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"0x26B910DE" /* L40S */, "0x232110DE" /* H100 NVL */, "0x20B710DE" /* A30 */,
            "0x290110DE" /* B200 */, "0x20B0", "0x20B010DEFF", "0xZZB010DE", "H100"})
    void otherDeviceIdsAreEmpty(String id) {
        assertThat(MigGpuModel.forPciDeviceId(id)).isEmpty();
    }

    @Test
    void theDeviceIdDecidesAndTheNameIsTheFallback() {
        assertThat(MigGpuModel.of(new NodeGpu(0, "NVIDIA H100 80GB HBM3", "0x20B010DE"))).contains(MigGpuModel.A100_40GB);
        assertThat(MigGpuModel.of(new NodeGpu(0, "NVIDIA H200", "unknown"))).contains(MigGpuModel.H200_141GB);
        assertThat(MigGpuModel.of(new NodeGpu(0, "NVIDIA H200", "0x26B910DE"))).contains(MigGpuModel.H200_141GB);
        assertThat(MigGpuModel.of(new NodeGpu(0, "NVIDIA L40S", "0x26B910DE"))).isEmpty();
    }

    @Test
    void profileLookupIsExactAndModelSpecific() {
        assertThat(MigGpuModel.A100_40GB.profile("1g.10gb")).get().extracting(MigProfile::profileId).isEqualTo(15);
        assertThat(MigGpuModel.H100_80GB.profile("1g.10gb")).get().extracting(MigProfile::profileId).isEqualTo(19);
        assertThat(MigGpuModel.H100_80GB.profile("1g.5gb")).isEmpty();
        assertThat(MigGpuModel.H100_80GB.profile("1G.10GB")).isEmpty();
        assertThat(MigGpuModel.H200_141GB.profile("7g.141gb")).get().extracting(MigProfile::memorySlices).isEqualTo(8);
    }

    @Test
    void aProfileOutsideTheGpusSlicesCannotBeMade() {
        assertThat(new MigProfile("7g.80gb", 0, 8, 7, 1, List.of(0), 81_000, false).mask(0)).isEqualTo(0xff);
        assertThat(new MigProfile("1g.10gb", 19, 1, 1, 7, List.of(0), 10_000, false).mask(6)).isEqualTo(0x40);
        for (int[] slices : new int[][] {{0, 1, 1}, {9, 1, 1}, {1, 0, 1}, {1, 8, 1}, {1, 1, 0}}) {
            assertThatThrownBy(() -> new MigProfile("x", 1, slices[0], slices[1], slices[2], List.of(0), 1, false))
                    .as("memory %d, compute %d, count %d", slices[0], slices[1], slices[2])
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("impossible MIG profile x");
        }
    }

    @Test
    void namesForMessages() {
        assertThat(MigGpuModel.H100_80GB).hasToString("H100-80GB");
        assertThat(MigGpuModel.H200_141GB.unknownProfile("1g.10gb")).isEqualTo(
                "unknown profile 1g.10gb on H200-141GB (profiles: 1g.18gb, 1g.18gb+me, 1g.35gb, 2g.35gb, 3g.71gb, 4g.71gb, 7g.141gb)");
    }

    @Test
    void aRepresentativeGpuIsRecognisedAsItsModelByDeviceIdAndByName() {
        for (MigGpuModel model : MigGpuModel.values()) {
            NodeGpu gpu = model.representative(3);
            assertThat(gpu.index()).isEqualTo(3);
            assertThat(gpu.productName()).startsWith("NVIDIA ");
            assertThat(MigGpuModel.forPciDeviceId(gpu.pciDeviceId())).contains(model);
            assertThat(MigGpuModel.forProductName(gpu.productName())).contains(model);
        }
    }
}
