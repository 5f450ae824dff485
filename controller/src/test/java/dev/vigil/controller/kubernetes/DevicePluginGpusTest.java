package dev.vigil.controller.kubernetes;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.jobs.Placement;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementVerdict;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class DevicePluginGpusTest {
    private static final String UID = "3f1c2a9e-1111-4222-8333-444455556666";

    static NodeRecord node(String name, JudgedProcess... processes) {
        List<GpuDevice> gpus = IntStream.range(0, 8).mapToObj(i -> new GpuDevice(i, "GPU-" + name + "-" + i,
                "NVIDIA H100 80GB HBM3", "00000000:1" + i + ":00.0", "0x233010DE", 81_920, 0, "0-55", 18, List.of(),
                MigStatus.notCapable())).toList();
        return NodeRecord.named(name).inventory(new NodeInventory(name, "nvml", "550", gpus, null))
                .processes(Arrays.asList(processes)).build();
    }

    static JudgedProcess process(int gpu, String owner) {
        return new JudgedProcess(gpu, null, 4000 + gpu, "1000", "python3", owner, null, PlacementVerdict.OVERREACH,
                null, null);
    }

    private static Placement on(int... gpus) {
        List<Integer> indices = IntStream.of(gpus).boxed().toList();
        return new Placement("n1", indices, indices.stream().map(i -> "GPU-n1-" + i).toList(), List.of(), 2);
    }

    @Test
    void aPodsProcessesOnOtherGpusMoveThePlacementThereWithTheirUuids() {
        Placement moved = DevicePluginGpus.moved(on(0, 1), UID,
                node("n1", process(5, "pod:" + UID), process(4, "pod:" + UID), process(0, "pod:someone-else")));

        assertThat(moved).isEqualTo(new Placement("n1", List.of(4, 5), List.of("GPU-n1-4", "GPU-n1-5"), List.of(), 2));
    }

    @Test
    void aPodSeenOnSomeOfItsGpusKeepsHeldOnesForTheRest() {
        assertThat(DevicePluginGpus.moved(on(0, 1), UID, node("n1", process(6, "pod:" + UID))).gpus())
                .containsExactly(0, 6);
        assertThat(DevicePluginGpus.moved(on(0, 1), UID, node("n1", process(1, "pod:" + UID), process(6, "pod:" + UID)))
                .gpus()).as("a held GPU it is seen on is kept").containsExactly(1, 6);
    }

    @Test
    void nothingMovesWhileItsProcessesRunWhereVigilPlacedItOrNobodyCanSay() {
        assertThat(DevicePluginGpus.moved(on(0, 1), UID, node("n1", process(1, "pod:" + UID)))).isNull();
        assertThat(DevicePluginGpus.moved(on(0, 1), UID, node("n1", process(5, "pod:other")))).isNull();
        assertThat(DevicePluginGpus.moved(on(0, 1), UID, node("n1"))).as("no process yet").isNull();
        assertThat(DevicePluginGpus.moved(on(0), UID, node("n1", process(2, "pod:" + UID), process(3, "pod:" + UID))))
                .as("more GPUs than it was given: not the device plugin's pick").isNull();
        assertThat(DevicePluginGpus.moved(on(0, 1), null, node("n1", process(5, "pod:null")))).isNull();
        assertThat(DevicePluginGpus.moved(on(0, 1), UID, NodeRecord.named("n1")
                .processes(List.of(process(5, "pod:" + UID))).build())).as("no inventory").isNull();
        assertThat(DevicePluginGpus.moved(on(0, 1), UID, node("n1", process(9, "pod:" + UID))))
                .as("a GPU the inventory lacks").isNull();
        Placement slice = new Placement("n1", List.of(0), List.of("GPU-n1-0"), List.of(7), 0);
        assertThat(DevicePluginGpus.moved(slice, UID, node("n1", process(3, "pod:" + UID)))).as("a MIG slice")
                .isNull();
    }
}
