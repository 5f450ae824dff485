package dev.vigil.controller.kubernetes;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.jobs.Placement;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementVerdict;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
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

    /** Moved, for a placement whose pod may not be ignored. */
    private static Placement moved(Placement placement, String uid, NodeRecord node) {
        return DevicePluginGpus.moved(placement, uid, node, why -> {
            throw new AssertionError("ignored: " + why);
        });
    }

    /** GPUs 0 and 1 cut into two 3g.40gb instances (ids 1, 2), GPU 2 into 1g.10gb ones (ids 7, 8). */
    static NodeRecord mig(String name, JudgedProcess... processes) {
        List<GpuDevice> gpus = IntStream.range(0, 3).mapToObj(i -> new GpuDevice(i, "GPU-" + name + "-" + i,
                "NVIDIA H100 80GB HBM3", "00000000:1" + i + ":00.0", "0x233010DE", 81_920, 0, "0-55", 18, List.of(),
                new MigStatus(true, true, i < 2
                        ? List.of(new MigInstance(1, "3g.40gb", 0, 4, "MIG-" + i + "-1", 40_192),
                                new MigInstance(2, "3g.40gb", 4, 4, "MIG-" + i + "-2", 40_192))
                        : List.of(new MigInstance(7, "1g.10gb", 0, 1, "MIG-2-7", 9_984),
                                new MigInstance(8, "1g.10gb", 1, 1, "MIG-2-8", 9_984))))).toList();
        return NodeRecord.named(name).inventory(new NodeInventory(name, "nvml", "550", gpus, null))
                .processes(Arrays.asList(processes)).build();
    }

    static JudgedProcess inSlice(int gpu, int gpuInstance, String owner) {
        return new JudgedProcess(gpu, gpuInstance, 5000 + gpu, "1000", "python3", owner, null,
                PlacementVerdict.OVERREACH, null, null);
    }

    private static Placement on(int... gpus) {
        List<Integer> indices = IntStream.of(gpus).boxed().toList();
        return new Placement("n1", indices, indices.stream().map(i -> "GPU-n1-" + i).toList(), List.of(), 2);
    }

    @Test
    void aPodsProcessesOnOtherGpusMoveThePlacementThereWithTheirUuids() {
        Placement moved = moved(on(0, 1), UID,
                node("n1", process(5, "pod:" + UID), process(4, "pod:" + UID), process(0, "pod:someone-else")));

        assertThat(moved).isEqualTo(new Placement("n1", List.of(4, 5), List.of("GPU-n1-4", "GPU-n1-5"), List.of(), 2));
    }

    @Test
    void aPodSeenOnSomeOfItsGpusKeepsHeldOnesForTheRest() {
        assertThat(moved(on(0, 1), UID, node("n1", process(6, "pod:" + UID))).gpus())
                .containsExactly(0, 6);
        assertThat(moved(on(0, 1), UID, node("n1", process(1, "pod:" + UID), process(6, "pod:" + UID)))
                .gpus()).as("a held GPU it is seen on is kept").containsExactly(1, 6);
    }

    @Test
    void nothingMovesWhileItsProcessesRunWhereVigilPlacedItOrNobodyCanSay() {
        assertThat(moved(on(0, 1), UID, node("n1", process(1, "pod:" + UID)))).isNull();
        assertThat(moved(on(0, 1), UID, node("n1", process(5, "pod:other")))).isNull();
        assertThat(moved(on(0, 1), UID, node("n1"))).as("no process yet").isNull();
        assertThat(moved(on(0), UID, node("n1", process(2, "pod:" + UID), process(3, "pod:" + UID))))
                .as("more GPUs than it was given: not the device plugin's pick").isNull();
        assertThat(moved(on(0, 1), null, node("n1", process(5, "pod:null")))).isNull();
        assertThat(moved(on(0, 1), UID, NodeRecord.named("n1")
                .processes(List.of(process(5, "pod:" + UID))).build())).as("no inventory").isNull();
        assertThat(moved(on(0, 1), UID, node("n1", process(9, "pod:" + UID))))
                .as("a GPU the inventory lacks").isNull();
        Placement slice = new Placement("n1", List.of(0), List.of("GPU-n1-0"), List.of(7), 0);
        assertThat(moved(slice, UID, node("n1", process(3, "pod:" + UID)))).as("a MIG slice")
                .isNull();
    }

    @Test
    void aSlicesPodSeenInAnotherInstanceOfItsProfileMovesThePlacementThere() {
        Placement slice = new Placement("n1", List.of(0), List.of("GPU-n1-0"), List.of(1), 2);

        Placement moved = moved(slice, UID, mig("n1", inSlice(1, 2, "pod:" + UID), inSlice(0, 1, "pod:someone-else")));

        assertThat(moved).isEqualTo(new Placement("n1", List.of(1), List.of("GPU-n1-1"), List.of(2), 2));
        assertThat(moved(slice, UID, mig("n1", inSlice(0, 1, "pod:" + UID)))).as("where it was placed").isNull();
        assertThat(moved(slice, UID, mig("n1", inSlice(1, 1, "pod:" + UID), inSlice(1, 2, "pod:" + UID))))
                .as("in two slices: not one pick of the device plugin").isNull();
    }

    @Test
    void aSlicesPodSeenInAnotherProfileOrAnUnknownInstanceStaysAndSaysWhy() {
        Placement slice = new Placement("n1", List.of(0), List.of("GPU-n1-0"), List.of(1), 2);
        List<String> ignored = new ArrayList<>();

        assertThat(DevicePluginGpus.moved(slice, UID, mig("n1", inSlice(2, 7, "pod:" + UID)), ignored::add)).isNull();
        assertThat(DevicePluginGpus.moved(slice, UID, mig("n1", inSlice(1, 9, "pod:" + UID)), ignored::add)).isNull();

        assertThat(ignored).containsExactly("GPU 2 instance 7 is a 1g.10gb slice, the pod asked for 3g.40gb",
                "GPU 1 instance 9 or the placement's GPU 0 instance 1 is not in the node's inventory");
    }
}
