package dev.vigil.gpu.dcgm;

import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.NodeTopology;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.backend.NodeSample;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.mig.MigPlacement;

import java.util.ArrayList;
import java.util.List;

/**
 * The NVML side of a node as the DCGM backend sees it: the inventory built from the GPUs the
 * fake DCGM reports, with indices in the reverse order of DCGM's GPU ids, so a mapping that does
 * not go by UUID shows. Records the MIG changes asked of it, each with the DCGM watches live while
 * it ran, and fails the next change with an exception put in {@code migFailures}.
 */
record StubCompanion(NodeInventory inventory, FakeDcgm fake, List<String> migChanges,
                     List<GpuBackendException> migFailures) implements GpuBackend {

    /** Every fake GPU, DCGM id {@code g} at index {@code gpus - 1 - g}. */
    static StubCompanion of(FakeDcgm fake, int gpus) {
        List<Integer> ids = new ArrayList<>();
        for (int g = 0; g < gpus; g++) {
            ids.add(g);
        }
        return of(fake, gpus, ids);
    }

    /** The listed DCGM GPUs only, at index {@code gpus - 1 - id}. */
    static StubCompanion of(FakeDcgm fake, int gpus, List<Integer> dcgmIds) {
        List<GpuDevice> devices = new ArrayList<>();
        for (int id : dcgmIds) {
            int index = gpus - 1 - id;
            devices.add(new GpuDevice(index, fake.uuid(id), "NVIDIA H100 80GB HBM3",
                    String.format("00000000:%02X:00.0", 0x18 + index), "0x233010DE", 81559, 0, "0-55", 18, List.of(),
                    new MigStatus(true, false, List.of())));
        }
        devices.sort((a, b) -> Integer.compare(a.index(), b.index()));
        return new StubCompanion(new NodeInventory("node-1", "nvml", "550.54.15", devices,
                new NodeTopology("nvswitch", List.of(), List.of(), List.of())), fake, new ArrayList<>(),
                new ArrayList<>());
    }

    /** The index the companion gives DCGM GPU {@code dcgmId}. */
    static int index(int gpus, int dcgmId) {
        return gpus - 1 - dcgmId;
    }

    @Override
    public String name() {
        return "nvml";
    }

    @Override
    public NodeSample sample(FieldSet fields) {
        throw new UnsupportedOperationException("the companion is not sampled");
    }

    @Override
    public List<GpuEvent> drainEvents() {
        return List.of();
    }

    @Override
    public void onEvent(Runnable listener) {
    }

    @Override
    public List<GpuProcess> processes(int gpu) {
        return List.of(new GpuProcess(4242, gpu, null, null, 1024));
    }

    @Override
    public void applyMig(int gpu, boolean enabled, List<MigPlacement> placements) throws GpuBackendException {
        migChanges.add(gpu + ":" + enabled + ":" + placements.size() + " watches=" + fake.fake_dcgm_live("watches"));
        if (!migFailures.isEmpty()) {
            throw migFailures.remove(0);
        }
    }

    @Override
    public void close() {
    }
}
