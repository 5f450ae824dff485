package dev.vigil.gpu.nvml;

import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.NodeTopology;
import dev.vigil.api.gpu.NvlinkPeer;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.fields.FieldSet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The inventory the backend builds matches what the fake was told. */
class NvmlInventoryTest {

    @Test
    void identityOfEachGpu() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        for (int gpu = 0; gpu < 8; gpu++) {
            fake.fake_nvml_set_string(gpu, "uuid", "GPU-8c1d2e3f-4a5b-6c7d-8e9f-00000000000" + gpu);
        }
        fake.fake_nvml_set_pci(5, 0x1, 0x9A, 0x1);
        fake.fake_nvml_set_string(-1, "driver_version", "580.65.06");
        try (NvmlBackend backend = FakeNvml.open()) {
            NodeInventory inventory = backend.inventory();
            assertThat(inventory.node()).isEqualTo("node-1");
            assertThat(inventory.backend()).isEqualTo("nvml");
            assertThat(inventory.driverVersion()).isEqualTo("580.65.06");
            assertThat(inventory.gpus()).extracting(GpuDevice::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
            assertThat(inventory.gpus()).extracting(GpuDevice::uuid)
                    .containsExactlyElementsOf(IntStream.range(0, 8)
                            .mapToObj(i -> "GPU-8c1d2e3f-4a5b-6c7d-8e9f-00000000000" + i).toList());
            assertThat(inventory.gpus()).extracting(GpuDevice::pciBusId).containsExactly("00000000:18:00.0",
                    "00000000:2A:00.0", "00000000:3A:00.0", "00000000:5D:00.0", "00000000:9A:00.0",
                    "00000001:9A:01.0", "00000000:BA:00.0", "00000000:DB:00.0");
            GpuDevice first = inventory.gpus().get(0);
            assertThat(first.model()).isEqualTo("NVIDIA H100 80GB HBM3");
            assertThat(first.pciDeviceId()).isEqualTo("0x233010DE");
            assertThat(first.memoryMiB()).isEqualTo(81559);
            assertThat(first.deviceName()).isEqualTo("nvidia0");
        }
    }

    @Test
    void numaNodesAndCpuAffinityAsCpuLists() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        fake.set(2, "numa_node", -1);
        fake.fake_nvml_set_affinity(7, -1, 0);
        fake.fake_nvml_set_affinity(7, 0, 0b1011L | 1L << 63);
        fake.fake_nvml_set_affinity(7, 1, 0xFL);
        fake.fake_nvml_set_affinity(7, 3, 1L << 63);
        try (NvmlBackend backend = FakeNvml.open()) {
            List<GpuDevice> gpus = backend.inventory().gpus();
            assertThat(gpus).extracting(GpuDevice::numaNode).containsExactly(0, 0, null, 0, 1, 1, 1, 1);
            assertThat(gpus.get(0).cpuAffinity()).isEqualTo("0-55,112-167");
            assertThat(gpus.get(4).cpuAffinity()).isEqualTo("56-111,168-223");
            assertThat(gpus.get(7).cpuAffinity()).as("ranges across a word boundary").isEqualTo("0-1,3,63-67,255");
            assertThat(backend.inventory().topology().numaNodes()).containsExactly(
                    new NodeTopology.NumaNode(0, "0-55,112-167", List.of(0, 1, 3)),
                    new NodeTopology.NumaNode(1, "0-1,3,56-111,168-223,255", List.of(4, 5, 6, 7)));
        }
    }

    @Test
    void withoutNvmlDeviceGetNumaNodeIdTheNumaNodeIsUnknown() throws Exception {
        FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open(Set.of("nvmlDeviceGetNumaNodeId"))) {
            assertThat(backend.inventory().gpus()).extracting(GpuDevice::numaNode).containsOnlyNulls();
            assertThat(backend.inventory().topology().numaNodes()).isEmpty();
            assertThat(backend.inventory().gpus().get(0).cpuAffinity()).isEqualTo("0-55,112-167");
        }
    }

    @Test
    void nvswitchGpusAreAllToAllPeersWithTheirLinkCount() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        fake.fake_nvml_set_link(2, 3, "up", 0);
        try (NvmlBackend backend = FakeNvml.open()) {
            NodeInventory inventory = backend.inventory();
            assertThat(inventory.topology().nvlink()).isEqualTo("nvswitch");
            assertThat(inventory.topology().nvlinkDomains()).containsExactly(List.of(0, 1, 2, 3, 4, 5, 6, 7));
            assertThat(inventory.gpus()).extracting(GpuDevice::nvlinkLinks).containsExactly(18, 18, 17, 18, 18, 18, 18, 18);
            assertThat(inventory.gpus().get(0).nvlinkPeers()).containsExactly(new NvlinkPeer(1, 18),
                    new NvlinkPeer(2, 17), new NvlinkPeer(3, 18), new NvlinkPeer(4, 18), new NvlinkPeer(5, 18),
                    new NvlinkPeer(6, 18), new NvlinkPeer(7, 18));
            assertThat(inventory.gpus().get(2).nvlinkPeers()).extracting(NvlinkPeer::links).containsOnly(17);
            assertThat(inventory.gpus().get(2).nvlinkPeers()).extracting(NvlinkPeer::gpu)
                    .containsExactly(0, 1, 3, 4, 5, 6, 7);
        }
    }

    @Test
    void directNvlinkBridgesPairGpusByRemoteBusId() throws Exception {
        FakeNvml fake = FakeNvml.reset(4, "NVIDIA L40S");
        fake.fake_nvml_set_links(0, 4, 0);
        fake.fake_nvml_set_links(1, 4, 0);
        fake.fake_nvml_connect(0, 0, 1, 0);
        fake.fake_nvml_connect(0, 1, 1, 1);
        try (NvmlBackend backend = FakeNvml.open()) {
            NodeInventory inventory = backend.inventory();
            assertThat(inventory.topology().nvlink()).isEqualTo("direct");
            assertThat(inventory.topology().nvlinkDomains()).containsExactly(List.of(0, 1));
            assertThat(inventory.gpus().get(0).nvlinkPeers()).containsExactly(new NvlinkPeer(1, 2));
            assertThat(inventory.gpus().get(1).nvlinkPeers()).containsExactly(new NvlinkPeer(0, 2));
            assertThat(inventory.gpus()).extracting(GpuDevice::nvlinkLinks).containsExactly(2, 2, 0, 0);
            assertThat(inventory.gpus().get(2).nvlinkPeers()).isEmpty();
        }
    }

    @Test
    void pcieOnlyGpusWithoutMig() throws Exception {
        FakeNvml.reset(4, "NVIDIA L40S");
        try (NvmlBackend backend = FakeNvml.open()) {
            NodeInventory inventory = backend.inventory();
            assertThat(inventory.topology().nvlink()).isEqualTo("none");
            assertThat(inventory.topology().nvlinkDomains()).isEmpty();
            assertThat(inventory.gpus()).allSatisfy(gpu -> {
                assertThat(gpu.nvlinkLinks()).isZero();
                assertThat(gpu.mig()).isEqualTo(MigStatus.notCapable());
                assertThat(gpu.pciDeviceId()).isEqualTo("0x26B910DE");
            });
        }
    }

    @Test
    void pcieSwitchesAreGpusWhoseCommonAncestorIsASwitch() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        fake.set(6, "pcie_switch", -1);
        fake.set(7, "pcie_switch", -1);
        try (NvmlBackend backend = FakeNvml.open()) {
            assertThat(backend.inventory().topology().pcieSwitches())
                    .containsExactly(List.of(0, 1), List.of(2, 3), List.of(4, 5));
        }
    }

    @Test
    void migStatusShowsModeAndInstancesWithPlacementUuidAndMemory() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        fake.fake_nvml_set_mig(1, 1);
        int threeG = fake.fake_nvml_add_instance(1, 9, 0);
        int twoG = fake.fake_nvml_add_instance(1, 14, 4);
        fake.fake_nvml_set_mig(2, 1);
        try (NvmlBackend backend = FakeNvml.open()) {
            List<GpuDevice> gpus = backend.inventory().gpus();
            assertThat(gpus.get(0).mig()).isEqualTo(new MigStatus(true, false, List.of()));
            assertThat(gpus.get(2).mig()).isEqualTo(new MigStatus(true, true, List.of()));
            MigStatus mig = gpus.get(1).mig();
            assertThat(mig.capable()).isTrue();
            assertThat(mig.enabled()).isTrue();
            assertThat(mig.instances()).containsExactly(
                    new MigInstance(threeG, "3g.40gb", 0, 4, "MIG-7a3c0001-0001-4000-8000-000000000000", 40448),
                    new MigInstance(twoG, "2g.20gb", 4, 2, "MIG-7a3c0001-0002-4000-8000-000000000000", 20096));
        }
    }

    @Test
    void anNvlinkLinkGoingDownRebuildsTheInventoryAtTheNextSample() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open()) {
            NodeInventory before = backend.inventory();
            backend.sample(new FieldSet(FieldCatalog.DEFAULTS));
            assertThat(backend.inventory()).as("nothing changed, nothing rebuilt").isSameAs(before);

            fake.fake_nvml_set_link(4, 0, "up", 0);
            fake.fake_nvml_set_link(4, 1, "up", 0);
            backend.sample(new FieldSet(List.of(FieldCatalog.GPU_TEMP)));
            assertThat(backend.inventory().gpus().get(4).nvlinkLinks()).isEqualTo(16);
            assertThat(backend.inventory().gpus().get(0).nvlinkPeers()).contains(new NvlinkPeer(4, 16));
        }
    }

    @Test
    void aGpuLostBeforeTheAgentStartedIsListedAndReportedLost() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        fake.fake_nvml_set_lost(3, 1);
        try (NvmlBackend backend = FakeNvml.open()) {
            assertThat(backend.inventory().gpus()).hasSize(8);
            assertThat(backend.inventory().gpus().get(3).uuid()).isEmpty();
            assertThat(backend.sample(new FieldSet(FieldCatalog.DEFAULTS)).gpu(3).lost()).isTrue();
            assertThat(backend.drainEvents()).singleElement()
                    .satisfies(event -> assertThat(event.xid()).isEqualTo(79));
        }
    }
}
