package dev.vigil.slurm.conf;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.NodeTopology;
import dev.vigil.api.gpu.NvlinkPeer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GresConfTest {
    private static final NodeInventory HGX_H100 = Inventories.nvswitch("gpu-017", "NVIDIA H100 80GB HBM3", 18,
            "0-55,112-167", "56-111,168-223");

    @Test
    void anHgxH100GetsOneLinePerGpuWithItsSocketsCoresAndNvlinkLinks() {
        String text = GresConf.of(HGX_H100, GresConf.Options.defaults()).render();
        assertThat(text).isEqualTo("""
                # gres.conf lines for gpu-017, written by 'vigil slurm gres-conf' from the node's GPU inventory.
                # slurm.conf must give the node Gres=gpu:h100:8 (and GresTypes=gpu).
                # Cores= are Slurm's logical core ids of the GPU's socket: 2 socket(s) of 56 cores, 2 threads per core.
                NodeName=gpu-017 Name=gpu Type=h100 File=/dev/nvidia0 Cores=0-55 Links=-1,18,18,18,18,18,18,18
                NodeName=gpu-017 Name=gpu Type=h100 File=/dev/nvidia1 Cores=0-55 Links=18,-1,18,18,18,18,18,18
                NodeName=gpu-017 Name=gpu Type=h100 File=/dev/nvidia2 Cores=0-55 Links=18,18,-1,18,18,18,18,18
                NodeName=gpu-017 Name=gpu Type=h100 File=/dev/nvidia3 Cores=0-55 Links=18,18,18,-1,18,18,18,18
                NodeName=gpu-017 Name=gpu Type=h100 File=/dev/nvidia4 Cores=56-111 Links=18,18,18,18,-1,18,18,18
                NodeName=gpu-017 Name=gpu Type=h100 File=/dev/nvidia5 Cores=56-111 Links=18,18,18,18,18,-1,18,18
                NodeName=gpu-017 Name=gpu Type=h100 File=/dev/nvidia6 Cores=56-111 Links=18,18,18,18,18,18,-1,18
                NodeName=gpu-017 Name=gpu Type=h100 File=/dev/nvidia7 Cores=56-111 Links=18,18,18,18,18,18,18,-1
                """);
    }

    @Test
    void linesFollowPciBusOrderAndLinksCountInThatNumbering() {
        // driver index order is not bus order here; NVLink bridges pair GPUs 0+2 and 1+3
        NodeInventory node = new NodeInventory("n1", "nvml", "570", List.of(
                Inventories.gpu(0, "NVIDIA A100-SXM4-40GB", "00000000:81:00.0", 1, "8-15", List.of(new NvlinkPeer(2, 4)), false),
                Inventories.gpu(1, "NVIDIA A100-SXM4-40GB", "00000000:C1:00.0", 1, "8-15", List.of(new NvlinkPeer(3, 4)), false),
                Inventories.gpu(2, "NVIDIA A100-SXM4-40GB", "00000000:01:00.0", 0, "0-7", List.of(new NvlinkPeer(0, 4)), false),
                Inventories.gpu(3, "NVIDIA A100-SXM4-40GB", "00000000:41:00.0", 0, "0-7", List.of(new NvlinkPeer(1, 4)), false)),
                new NodeTopology("direct", List.of(List.of(0, 2), List.of(1, 3)), List.of(),
                        List.of(new NodeTopology.NumaNode(0, "0-7", List.of(2, 3)),
                                new NodeTopology.NumaNode(1, "8-15", List.of(0, 1)))));
        GresConf conf = GresConf.of(node, GresConf.Options.defaults());
        // bus order: GPU 2 (01), 3 (41), 0 (81), 1 (C1)
        assertThat(conf.lines()).extracting(GresConf.Line::gpu).containsExactly(2, 3, 0, 1);
        assertThat(conf.lines()).extracting(GresConf.Line::file)
                .containsExactly("/dev/nvidia2", "/dev/nvidia3", "/dev/nvidia0", "/dev/nvidia1");
        assertThat(conf.lines()).extracting(GresConf.Line::links).containsExactly(
                List.of(-1, 0, 4, 0), List.of(0, -1, 0, 4), List.of(4, 0, -1, 0), List.of(0, 4, 0, -1));
        assertThat(conf.lines()).extracting(GresConf.Line::cores).containsExactly("0-7", "0-7", "8-15", "8-15");
        assertThat(conf.lines()).extracting(GresConf.Line::type).containsOnly("a100");
        // what Slurm calls GPU 0 (IDX:0, SLURM_JOB_GPUS=0) is the driver's GPU 2
        assertThat(GresConf.slurmOrder(node)).containsExactly(2, 3, 0, 1);
    }

    @Test
    void aPcieNodeWithoutHyperthreadsHasNoLinksAndACoreForEveryCpu() {
        NodeInventory node = new NodeInventory("l40s-1", "nvml", "570", List.of(
                Inventories.gpu(0, "NVIDIA L40S", "00000000:01:00.0", 0, "0-31", List.of(), false),
                Inventories.gpu(1, "NVIDIA L40S", "00000000:81:00.0", 1, "32-63", List.of(), false)),
                new NodeTopology("none", List.of(), List.of(), List.of(new NodeTopology.NumaNode(0, "0-31", List.of(0)),
                        new NodeTopology.NumaNode(1, "32-63", List.of(1)))));
        String text = GresConf.of(node, GresConf.Options.defaults()).render();
        assertThat(text).contains("NodeName=l40s-1 Name=gpu Type=l40s File=/dev/nvidia0 Cores=0-31\n")
                .contains("NodeName=l40s-1 Name=gpu Type=l40s File=/dev/nvidia1 Cores=32-63\n")
                .contains("2 socket(s) of 32 cores.")
                .doesNotContain("Links=");
    }

    @Test
    void withSeveralNumaNodesPerSocketAGpuGetsItsWholeSocket() {
        // 2 sockets in NPS2: four NUMA nodes of 16 cores (32 threads) each
        NodeInventory node = new NodeInventory("epyc-1", "nvml", "570", List.of(
                Inventories.gpu(0, "NVIDIA H100 80GB HBM3", "00000000:01:00.0", 1, "16-31,80-95", List.of(), false),
                Inventories.gpu(1, "NVIDIA H100 80GB HBM3", "00000000:81:00.0", 2, "32-47,96-111", List.of(), false)),
                new NodeTopology("none", List.of(), List.of(), List.of(
                        new NodeTopology.NumaNode(0, "0-15,64-79", List.of()),
                        new NodeTopology.NumaNode(1, "16-31,80-95", List.of(0)),
                        new NodeTopology.NumaNode(2, "32-47,96-111", List.of(1)),
                        new NodeTopology.NumaNode(3, "48-63,112-127", List.of()))));
        GresConf bySocket = GresConf.of(node, new GresConf.Options(null, null, null, 2));
        assertThat(bySocket.lines()).extracting(GresConf.Line::cores).containsExactly("0-31", "32-63");
        assertThat(bySocket.notes()).anyMatch(n -> n.contains("2 socket(s) of 32 cores, 2 threads per core, 2 NUMA nodes per socket"));

        GresConf byNuma = GresConf.of(node, GresConf.Options.defaults());
        assertThat(byNuma.lines()).extracting(GresConf.Line::cores).containsExactly("16-31", "32-47");
        assertThat(byNuma.notes()).anyMatch(n -> n.contains("numa_node_as_socket"));
    }

    @Test
    void optionsOverrideTheDeviceFilesTypeAndThreads() {
        GresConf conf = GresConf.of(HGX_H100, new GresConf.Options("/tmp/lab/dev/nvidia", "h100_sxm", 1, null));
        assertThat(conf.lines().get(0).file()).isEqualTo("/tmp/lab/dev/nvidia0");
        assertThat(conf.lines().get(0).type()).isEqualTo("h100_sxm");
        assertThat(conf.lines().get(0).cores()).as("112 CPUs as 112 cores").isEqualTo("0-111");
        assertThat(conf.render()).contains("Gres=gpu:h100_sxm:8");
    }

    @Test
    void optionsThatDoNotFitTheNodeAreRefusedNamingThem() {
        assertThatThrownBy(() -> GresConf.of(HGX_H100, new GresConf.Options(null, null, null, 3)))
                .isInstanceOf(InvalidValueException.class)
                .hasMessage("sockets: \"3\" is not allowed (allowed: a divisor of the node's 2 NUMA nodes)");
        assertThatThrownBy(() -> GresConf.of(HGX_H100, new GresConf.Options(null, null, 3, null)))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("threadsPerCore: \"3\" is not allowed (allowed: a divisor of NUMA node 0's 112 CPUs)");
        assertThatThrownBy(() -> new GresConf.Options("dev/nvidia", null, null, null))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("devicePrefix: \"dev/nvidia\" is not allowed");
        assertThatThrownBy(() -> new GresConf.Options(null, "h100 sxm", null, null))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("type: \"h100 sxm\" is not allowed");
    }

    @Test
    void whatTheInventoryDoesNotSayIsLeftOutAndSaid() {
        GpuDevice gpu = Inventories.gpu(0, "NVIDIA A100-SXM4-80GB", "00000000:07:00.0", null, null, List.of(), false);
        GresConf conf = GresConf.of(new NodeInventory("a1", "nvml", "570", List.of(gpu),
                new NodeTopology("none", List.of(), List.of(), List.of())), GresConf.Options.defaults());
        assertThat(conf.lines().get(0).cores()).isNull();
        assertThat(conf.render()).contains("NodeName=a1 Name=gpu Type=a100 File=/dev/nvidia0\n")
                .contains("# the inventory has no NUMA nodes with CPU lists: Cores= is left out")
                .doesNotContain("MIG");
    }

    // --- MIG ----------------------------------------------------------------------------------

    /** Two NVLinked A100s: GPU 0 whole, GPU 1 in all-balanced (instances listed as NVML does, not by slice). */
    private static NodeInventory a100WithOneGpuSliced() {
        GpuDevice whole = new GpuDevice(0, "GPU-0", "NVIDIA A100-SXM4-80GB", "00000000:07:00.0", "0x20B210DE", 81920,
                0, "0-31", 12, List.of(new NvlinkPeer(1, 12)), new MigStatus(true, false, List.of()));
        GpuDevice sliced = new GpuDevice(1, "GPU-1", "NVIDIA A100-SXM4-80GB", "00000000:0F:00.0", "0x20B210DE", 81920,
                0, "0-31", 12, List.of(new NvlinkPeer(0, 12)), new MigStatus(true, true, List.of(
                new MigInstance(1, "3g.40gb", 4, 4, "MIG-a", 40192),
                new MigInstance(5, "2g.20gb", 0, 2, "MIG-b", 19968),
                new MigInstance(13, "1g.10gb", 2, 1, "MIG-c", 9856),
                new MigInstance(14, "1g.10gb", 3, 1, "MIG-d", 9856))));
        return new NodeInventory("a100-1", "nvml", "570", List.of(whole, sliced), new NodeTopology("nvlink",
                List.of(List.of(0, 1)), List.of(), List.of(new NodeTopology.NumaNode(0, "0-31", List.of(0, 1)))));
    }

    @Test
    void aGpuInMigModeGetsOneLinePerMigInstanceWithItsCapabilityDevicesAndSlurmConfCountsThem() {
        String text = GresConf.of(a100WithOneGpuSliced(), GresConf.Options.defaults()).render();
        assertThat(text).isEqualTo("""
                # gres.conf lines for a100-1, written by 'vigil slurm gres-conf' from the node's GPU inventory.
                # slurm.conf must give the node Gres=gpu:a100:1,gpu:a100_2g.20gb:1,gpu:a100_1g.10gb:2,gpu:a100_3g.40gb:1 \
                (and GresTypes=gpu).
                # Cores= are Slurm's logical core ids of the GPU's socket: 1 socket(s) of 16 cores, 2 threads per core.
                # a GPU in MIG mode has one line per MIG instance; its nvidia-cap files are the driver's fixed minors \
                (/proc/driver/nvidia-caps/mig-minors) for /dev/nvidiaN's N, compute instance 0.
                # MIG layouts change these lines and the Gres= counts: drain the node in Slurm before a change \
                ('scontrol update NodeName=a100-1 State=DRAIN Reason=mig'), then write gres.conf and slurm.conf again, \
                restart slurmd and resume it.
                NodeName=a100-1 Name=gpu Type=a100 File=/dev/nvidia0 Cores=0-15 Links=-1,0,0,0,0
                NodeName=a100-1 Name=gpu Type=a100_2g.20gb MultipleFiles=/dev/nvidia1,/dev/nvidia-caps/nvidia-cap183,\
                /dev/nvidia-caps/nvidia-cap184 Cores=0-15 Links=0,-1,0,0,0
                NodeName=a100-1 Name=gpu Type=a100_1g.10gb MultipleFiles=/dev/nvidia1,/dev/nvidia-caps/nvidia-cap255,\
                /dev/nvidia-caps/nvidia-cap256 Cores=0-15 Links=0,0,-1,0,0
                NodeName=a100-1 Name=gpu Type=a100_1g.10gb MultipleFiles=/dev/nvidia1,/dev/nvidia-caps/nvidia-cap264,\
                /dev/nvidia-caps/nvidia-cap265 Cores=0-15 Links=0,0,0,-1,0
                NodeName=a100-1 Name=gpu Type=a100_3g.40gb MultipleFiles=/dev/nvidia1,/dev/nvidia-caps/nvidia-cap147,\
                /dev/nvidia-caps/nvidia-cap148 Cores=0-15 Links=0,0,0,0,-1
                """);
    }

    @Test
    void withoutMigTheNvlinkedGpusKeepTheirLinks() {
        NodeInventory unsliced = a100WithOneGpuSliced();
        GpuDevice gpu1 = unsliced.gpus().get(1);
        NodeInventory whole = new NodeInventory("a100-1", "nvml", "570", List.of(unsliced.gpus().get(0),
                new GpuDevice(1, "GPU-1", gpu1.model(), gpu1.pciBusId(), gpu1.pciDeviceId(), gpu1.memoryMiB(), 0,
                        "0-31", 12, gpu1.nvlinkPeers(), new MigStatus(true, false, List.of()))), unsliced.topology());
        assertThat(GresConf.of(whole, GresConf.Options.defaults()).lines()).extracting(GresConf.Line::links)
                .containsExactly(List.of(-1, 12), List.of(12, -1));
    }

    @Test
    void migLinesFollowTheDevicePrefixAndTheTypeOption() {
        GresConf conf = GresConf.of(a100WithOneGpuSliced(), new GresConf.Options("/tmp/lab/dev/nvidia", "a100_sxm",
                null, null));
        GresConf.Line slice = conf.lines().get(1);
        assertThat(slice.type()).isEqualTo("a100_sxm_2g.20gb");
        assertThat(slice.file()).isNull();
        assertThat(slice.multipleFiles()).containsExactly("/tmp/lab/dev/nvidia1",
                "/tmp/lab/dev/nvidia-caps/nvidia-cap183", "/tmp/lab/dev/nvidia-caps/nvidia-cap184");
        assertThat(conf.lines().get(0).multipleFiles()).isEmpty();
        assertThat(conf.lines().get(0).file()).isEqualTo("/tmp/lab/dev/nvidia0");
    }

    @Test
    void slurmNumbersEachMigInstanceAsAGpuOnItsParent() {
        // Slurm's GPU 0 is GPU 0; its GPUs 1-4 are GPU 1's four instances
        assertThat(GresConf.slurmOrder(a100WithOneGpuSliced())).containsExactly(0, 1, 1, 1, 1);
    }

    @Test
    void aGpuInMigModeWithoutInstancesGetsNoLineAndANote() {
        GpuDevice empty = Inventories.gpu(0, "NVIDIA H100 80GB HBM3", "00000000:18:00.0", null, null, List.of(), true);
        GpuDevice whole = Inventories.gpu(1, "NVIDIA H100 80GB HBM3", "00000000:2A:00.0", null, null, List.of(), false);
        NodeInventory node = new NodeInventory("h1", "nvml", "570", List.of(empty, whole),
                new NodeTopology("none", List.of(), List.of(), List.of()));
        GresConf conf = GresConf.of(node, GresConf.Options.defaults());
        assertThat(conf.lines()).extracting(GresConf.Line::gpu).containsExactly(1);
        assertThat(conf.notes()).contains("GPU 0 is in MIG mode without MIG instances: Slurm gets nothing of it until "
                + "it has some");
        assertThat(GresConf.slurmOrder(node)).containsExactly(1);
    }

    @Test
    void aGpusNumaNodeComesFromTheTopologyElseFromTheGpuElseIsSaidToBeUnknown() {
        // NUMA ids need not be 0..n-1; GPU 0 is listed under NUMA node 5 only, GPU 1 names its node only
        NodeInventory node = new NodeInventory("n2", "nvml", "570", List.of(
                Inventories.gpu(0, "NVIDIA L40S", "00000000:01:00.0", null, null, List.of(), false),
                Inventories.gpu(1, "NVIDIA L40S", "00000000:41:00.0", 2, null, List.of(), false),
                Inventories.gpu(2, "NVIDIA L40S", "00000000:81:00.0", null, null, List.of(), false)),
                new NodeTopology("none", List.of(), List.of(), List.of(new NodeTopology.NumaNode(5, "8-15", List.of(0)),
                        new NodeTopology.NumaNode(2, "0-7", List.of()))));
        GresConf conf = GresConf.of(node, GresConf.Options.defaults());
        assertThat(conf.lines()).extracting(GresConf.Line::cores).containsExactly("8-15", "0-7", null);
        assertThat(conf.notes()).contains("GPU 2 has no NUMA node in the inventory: its Cores= is left out");
    }

    @Test
    void threadsArePairedOnlyWhenEveryCpuHasItsSibling() {
        // an odd number of CPUs, or CPUs that do not pair as c and c + total/2, are one thread per core
        assertThat(coresOfOneNumaNode("0-2")).isEqualTo("0-2");
        assertThat(coresOfOneNumaNode("1-4")).isEqualTo("0-3");
        assertThat(coresOfOneNumaNode("0-3")).isEqualTo("0-1");
    }

    private static String coresOfOneNumaNode(String cpus) {
        NodeInventory node = new NodeInventory("n3", "nvml", "570", List.of(
                Inventories.gpu(0, "NVIDIA L40S", "00000000:01:00.0", 0, cpus, List.of(), false)),
                new NodeTopology("none", List.of(), List.of(), List.of(new NodeTopology.NumaNode(0, cpus, List.of(0)))));
        return GresConf.of(node, GresConf.Options.defaults()).lines().get(0).cores();
    }

    @Test
    void threadAndSocketCountsHaveLimits() {
        assertThat(new GresConf.Options(null, null, 1, 1).threadsPerCore()).isEqualTo(1);
        assertThat(new GresConf.Options(null, null, 8, 16).sockets()).isEqualTo(16);
        assertThatThrownBy(() -> new GresConf.Options(null, null, 0, null)).isInstanceOf(InvalidValueException.class)
                .hasMessage("threadsPerCore: \"0\" is not allowed (allowed: 1 to 8)");
        assertThatThrownBy(() -> new GresConf.Options(null, null, 9, null)).isInstanceOf(InvalidValueException.class)
                .hasMessage("threadsPerCore: \"9\" is not allowed (allowed: 1 to 8)");
        assertThatThrownBy(() -> new GresConf.Options(null, null, null, 0)).isInstanceOf(InvalidValueException.class)
                .hasMessage("sockets: \"0\" is not allowed (allowed: 1 to 16)");
        assertThatThrownBy(() -> new GresConf.Options(null, null, null, 17)).isInstanceOf(InvalidValueException.class)
                .hasMessage("sockets: \"17\" is not allowed (allowed: 1 to 16)");
    }

    @Test
    void theTypeIsTheModelWordOfTheProductName() {
        assertThat(GresConf.type("NVIDIA H100 80GB HBM3")).isEqualTo("h100");
        assertThat(GresConf.type("NVIDIA H200")).isEqualTo("h200");
        assertThat(GresConf.type("NVIDIA A100-SXM4-80GB")).isEqualTo("a100");
        assertThat(GresConf.type("NVIDIA L40S")).isEqualTo("l40s");
        assertThat(GresConf.type("NVIDIA GH200 480GB")).isEqualTo("gh200");
        assertThat(GresConf.type("NVIDIA RTX A6000")).isEqualTo("rtx_a6000");
        assertThat(GresConf.type("NVIDIA GeForce RTX 4090")).isEqualTo("rtx_4090");
        assertThat(GresConf.type("Tesla V100-SXM2-32GB")).isEqualTo("v100");
        assertThat(GresConf.type("NVIDIA")).as("no model word").isEqualTo("gpu");
        assertThat(GresConf.type(null)).isEqualTo("gpu");
    }
}
