package dev.vigil.gpu.dcgm;

import dev.vigil.gpu.backend.GpuBackendException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The DCGM entities of one session and who they are to Vigil: DCGM GPU ids mapped to the
 * companion's GPU indices by UUID, and the MIG GPU instances and compute instances of DCGM's
 * hierarchy with their NVML ids. Sampling reads GPUs (in index order) then GPU instances; the
 * watch group also holds the compute instances, so XIDs can be attributed to them.
 */
final class EntityTable {
    static final int FE_GPU = 1;
    static final int FE_GPU_I = 4;
    static final int FE_GPU_CI = 5;

    /** A DCGM GPU and the companion's index for it. */
    record Gpu(int dcgmId, int index, String uuid) {
    }

    /** A MIG GPU instance (4) or compute instance (5) entity of the hierarchy. */
    record Mig(int entityGroup, int entityId, int gpu, int gpuInstanceId, Integer computeInstanceId) {
    }

    /** One entry of {@code dcgmMigHierarchy_v2} as read from DCGM. */
    record HierarchyEntry(int entityGroup, int entityId, int parentGroup, int parentId, int nvmlInstanceId,
                          int nvmlComputeInstanceId) {
    }

    /** Where an XID or incident of an entity belongs. */
    record Attribution(int gpu, Integer gpuInstanceId, Integer computeInstanceId) {
    }

    private final List<Gpu> gpus;
    private final List<Mig> gpuInstances;
    private final List<Mig> computeInstances;
    private final int[] gpuPosition;
    private final int[] instancePosition;
    private final Mig[] computeById;

    private EntityTable(List<Gpu> gpus, List<Mig> gpuInstances, List<Mig> computeInstances) {
        this.gpus = List.copyOf(gpus);
        this.gpuInstances = List.copyOf(gpuInstances);
        this.computeInstances = List.copyOf(computeInstances);
        this.gpuPosition = positions(gpus.stream().mapToInt(Gpu::dcgmId).toArray());
        this.instancePosition = positions(gpuInstances.stream().mapToInt(Mig::entityId).toArray());
        int maxCi = computeInstances.stream().mapToInt(Mig::entityId).max().orElse(-1);
        this.computeById = new Mig[maxCi + 1];
        for (Mig ci : computeInstances) {
            computeById[ci.entityId()] = ci;
        }
    }

    /**
     * Maps DCGM's GPUs to the companion's indices by UUID and places the hierarchy's instances
     * under them. A DCGM GPU the companion does not know is a driver error: the two libraries
     * disagree about the node, and attributing its values to a guessed index would mislead.
     */
    static EntityTable build(int[] dcgmIds, String[] uuids, Map<String, Integer> indexByUuid, String companion,
                             List<HierarchyEntry> hierarchy) throws GpuBackendException {
        List<Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < dcgmIds.length; i++) {
            Integer index = indexByUuid.get(uuids[i]);
            if (index == null) {
                throw new GpuBackendException(GpuBackendException.Reason.DRIVER_ERROR, "DCGM GPU " + dcgmIds[i]
                        + " (" + uuids[i] + ") is not among the GPUs " + companion + " reports " + indexByUuid.keySet()
                        + "; DCGM and the driver disagree about this node");
            }
            gpus.add(new Gpu(dcgmIds[i], index, uuids[i]));
        }
        gpus.sort(Comparator.comparingInt(Gpu::index));
        int[] indexByDcgmId = new int[Arrays.stream(dcgmIds).max().orElse(-1) + 1];
        Arrays.fill(indexByDcgmId, -1);
        for (Gpu gpu : gpus) {
            indexByDcgmId[gpu.dcgmId()] = gpu.index();
        }
        List<Mig> instances = new ArrayList<>();
        for (HierarchyEntry e : hierarchy) {
            if (e.entityGroup() == FE_GPU_I && e.parentGroup() == FE_GPU && e.parentId() >= 0
                    && e.parentId() < indexByDcgmId.length && indexByDcgmId[e.parentId()] >= 0) {
                instances.add(new Mig(FE_GPU_I, e.entityId(), indexByDcgmId[e.parentId()], e.nvmlInstanceId(), null));
            }
        }
        instances.sort(Comparator.comparingInt(Mig::gpu).thenComparingInt(Mig::gpuInstanceId));
        List<Mig> computes = new ArrayList<>();
        for (HierarchyEntry e : hierarchy) {
            if (e.entityGroup() != FE_GPU_CI || e.parentGroup() != FE_GPU_I) {
                continue;
            }
            instances.stream().filter(gi -> gi.entityId() == e.parentId()).findFirst().ifPresent(gi -> computes.add(
                    new Mig(FE_GPU_CI, e.entityId(), gi.gpu(), gi.gpuInstanceId(), e.nvmlComputeInstanceId())));
        }
        return new EntityTable(gpus, instances, computes);
    }

    List<Gpu> gpus() {
        return gpus;
    }

    List<Mig> gpuInstances() {
        return gpuInstances;
    }

    List<Mig> computeInstances() {
        return computeInstances;
    }

    /** GPUs, then GPU instances: the entities a sample has, in its order. */
    int sampledCount() {
        return gpus.size() + gpuInstances.size();
    }

    /** The position of an entity in a sample, or -1 when it is not sampled. */
    int samplePosition(int entityGroup, int entityId) {
        if (entityGroup == FE_GPU) {
            return entityId >= 0 && entityId < gpuPosition.length ? gpuPosition[entityId] : -1;
        }
        if (entityGroup == FE_GPU_I && entityId >= 0 && entityId < instancePosition.length
                && instancePosition[entityId] >= 0) {
            return gpus.size() + instancePosition[entityId];
        }
        return -1;
    }

    /** The GPU index, GPU instance and compute instance an entity stands for, or null for one DCGM did not list. */
    Attribution attribution(int entityGroup, int entityId) {
        if (entityGroup == FE_GPU || entityGroup == FE_GPU_I) {
            int position = samplePosition(entityGroup, entityId);
            if (position < 0) {
                return null;
            }
            if (position < gpus.size()) {
                return new Attribution(gpus.get(position).index(), null, null);
            }
            Mig gi = gpuInstances.get(position - gpus.size());
            return new Attribution(gi.gpu(), gi.gpuInstanceId(), null);
        }
        if (entityGroup == FE_GPU_CI && entityId >= 0 && entityId < computeById.length
                && computeById[entityId] != null) {
            Mig ci = computeById[entityId];
            return new Attribution(ci.gpu(), ci.gpuInstanceId(), ci.computeInstanceId());
        }
        return null;
    }

    String uuid(int gpuIndex) {
        for (Gpu gpu : gpus) {
            if (gpu.index() == gpuIndex) {
                return gpu.uuid();
            }
        }
        return null;
    }

    private static int[] positions(int[] ids) {
        int[] positions = new int[Arrays.stream(ids).max().orElse(-1) + 1];
        Arrays.fill(positions, -1);
        for (int i = 0; i < ids.length; i++) {
            positions[ids[i]] = i;
        }
        return positions;
    }
}
