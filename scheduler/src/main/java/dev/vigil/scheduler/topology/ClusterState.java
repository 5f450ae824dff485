package dev.vigil.scheduler.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster as the scheduler sees it, indexed for fast placement: every node's free GPUs as
 * a bit mask, nodes bucketed by GPU model and free-GPU count (so the best-fit node for a request
 * is a {@link BitSet#nextSetBit} away), and per leaf switch a histogram of nodes by free count
 * (so a gang's leaf choice reads a few counters per leaf). Mutated only by the scheduler thread.
 */
public final class ClusterState {
    static final int MAX_GPUS = 32;

    /** One node, with its GPUs as masks. */
    public static final class Node {
        public final int index;
        public final String name;
        final int leaf;
        final int spine;
        int model;
        String pool;
        boolean schedulable;
        boolean simulated;
        String backend;
        int gpuCount;
        int usableMask;
        int allocatedMask;
        int migMask;
        String[] uuids = new String[0];
        int[] nvlink = new int[0];
        int[] numa = new int[0];
        String[] owner = new String[0];
        Slice[][] slices = new Slice[0][];
        int bucket = -1;
        boolean reserved;

        Node(int index, String name, int leaf, int spine) {
            this.index = index;
            this.name = name;
            this.leaf = leaf;
            this.spine = spine;
        }

        /** Whole GPUs that are usable, not allocated and not in MIG mode. */
        public int freeMask() {
            return schedulable ? usableMask & ~allocatedMask & ~migMask : 0;
        }

        public int freeCount() {
            return Integer.bitCount(freeMask());
        }

        public int gpuCount() {
            return gpuCount;
        }

        public int leaf() {
            return leaf;
        }

        public int spine() {
            return spine;
        }

        public int model() {
            return model;
        }

        public String pool() {
            return pool;
        }

        public boolean schedulable() {
            return schedulable;
        }

        public boolean simulated() {
            return simulated;
        }

        /** The execution backend that runs it, or null when none claims it. */
        public String backend() {
            return backend;
        }

        public int usableMask() {
            return usableMask;
        }

        /** GPUs in MIG mode: they take slice work only. */
        public int migMask() {
            return migMask;
        }

        public String uuid(int gpu) {
            return uuids[gpu];
        }

        public int nvlinkDomain(int gpu) {
            return nvlink[gpu];
        }

        public int numa(int gpu) {
            return numa[gpu];
        }

        public String owner(int gpu) {
            return owner[gpu];
        }

        public Slice[] slices(int gpu) {
            return slices[gpu];
        }

        /**
         * The slice with that GPU instance on {@code gpu}, or null when it has none. A node's report replaces its
         * {@code Slice} objects, so a hold finds its slice again by these two numbers.
         */
        public Slice slice(int gpu, int gpuInstanceId) {
            if (gpu < 0 || gpu >= gpuCount || slices[gpu] == null) {
                return null;
            }
            for (Slice slice : slices[gpu]) {
                if (slice.gpuInstanceId == gpuInstanceId) {
                    return slice;
                }
            }
            return null;
        }

        public boolean reserved() {
            return reserved;
        }
    }

    /** A MIG GPU instance and the job holding it, if any. */
    public static final class Slice {
        public final int gpuInstanceId;
        public final String profile;
        String owner;

        Slice(int gpuInstanceId, String profile) {
            this.gpuInstanceId = gpuInstanceId;
            this.profile = profile;
        }

        public String owner() {
            return owner;
        }
    }

    private final Fabric fabric;
    private final Map<String, Fabric.Position> positions;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Node> byName = new HashMap<>();
    private final List<String> leafNames = new ArrayList<>();
    private final Map<String, Integer> leafIndex = new HashMap<>();
    private final List<Integer> leafSpine = new ArrayList<>();
    private final List<String> spineNames = new ArrayList<>();
    private final Map<String, Integer> spineIndex = new HashMap<>();
    private final List<List<Node>> leafNodes = new ArrayList<>();
    private final List<String> modelNames = new ArrayList<>();
    private final Map<String, Integer> modelIndex = new HashMap<>();
    /** byModel.get(model)[free] = nodes of that model with exactly that many free whole GPUs. */
    private final List<BitSet[]> byModel = new ArrayList<>();
    /** histogram.get(leaf)[model][free] = how many of the leaf's nodes have that many free GPUs. */
    private final List<int[][]> histogram = new ArrayList<>();
    /** leafFree.get(leaf)[model] = free whole GPUs of that model under the leaf. */
    private final List<int[]> leafFree = new ArrayList<>();
    /** freeGpus.get(model) = free whole GPUs of that model, cluster-wide. */
    private final List<int[]> freeGpus = new ArrayList<>();
    private int freeWholeGpus;
    /** MIG slices no job holds (on any GPU, usable or not: an upper bound is all a fast "nothing is free" needs). */
    private int freeSlices;
    /** Changes whenever a node's capacity (GPUs, health, cordons, schedulability) may have. */
    private long capacityVersion;
    /** How many times whole GPUs were given back; by leaf, the count at its last time. */
    private long freed;
    private long[] leafFreedAt = new long[0];

    public ClusterState(Fabric fabric) {
        this.fabric = fabric;
        this.positions = fabric.positions();
    }

    /** Adds a node or brings one up to date. Allocations on GPUs it still has are kept. */
    public Node upsert(NodeCapacity capacity) {
        capacityVersion++;
        Node node = byName.get(capacity.name());
        if (node == null) {
            Fabric.Position position = fabric.positionOf(capacity.name(), positions);
            int spine = spineIndex.computeIfAbsent(position.spine(), s -> {
                spineNames.add(s);
                return spineNames.size() - 1;
            });
            int leaf = leafIndex.computeIfAbsent(position.leaf(), l -> {
                leafNames.add(l);
                leafSpine.add(spine);
                leafNodes.add(new ArrayList<>());
                histogram.add(new int[0][]);
                leafFree.add(new int[0]);
                leafFreedAt = Arrays.copyOf(leafFreedAt, leafNames.size());
                return leafNames.size() - 1;
            });
            node = new Node(nodes.size(), capacity.name(), leaf, spine);
            nodes.add(node);
            byName.put(node.name, node);
            leafNodes.get(leaf).add(node);
        }
        unindex(node);
        node.model = model(capacity.model());
        node.pool = capacity.pool();
        node.schedulable = capacity.schedulable();
        node.simulated = capacity.simulated();
        node.backend = capacity.backend();
        int count = capacity.gpus().size();
        String[] owners = Arrays.copyOf(node.owner, count);
        Slice[][] oldSlices = node.slices;
        freeSlices -= unowned(oldSlices);
        node.gpuCount = count;
        node.uuids = new String[count];
        node.nvlink = new int[count];
        node.numa = new int[count];
        node.slices = new Slice[count][];
        node.usableMask = 0;
        node.migMask = 0;
        node.allocatedMask &= count == MAX_GPUS ? -1 : (1 << count) - 1;
        for (NodeCapacity.Gpu gpu : capacity.gpus()) {
            int i = gpu.index();
            node.uuids[i] = gpu.uuid();
            node.nvlink[i] = gpu.nvlinkDomain();
            node.numa[i] = gpu.numa();
            if (gpu.usable()) {
                node.usableMask |= 1 << i;
            }
            node.slices[i] = new Slice[gpu.mig().size()];
            for (int s = 0; s < gpu.mig().size(); s++) {
                NodeCapacity.MigSlice mig = gpu.mig().get(s);
                Slice slice = new Slice(mig.gpuInstanceId(), mig.profile());
                slice.owner = ownerOf(oldSlices, i, mig.gpuInstanceId());
                node.slices[i][s] = slice;
            }
            if (gpu.mig().size() > 0) {
                node.migMask |= 1 << i;
            }
        }
        node.owner = owners;
        freeSlices += unowned(node.slices);
        index(node);
        return node;
    }

    private static int unowned(Slice[][] slices) {
        int count = 0;
        for (Slice[] gpu : slices) {
            for (Slice slice : gpu == null ? new Slice[0] : gpu) {
                count += slice.owner == null ? 1 : 0;
            }
        }
        return count;
    }

    private static String ownerOf(Slice[][] old, int gpu, int gpuInstanceId) {
        if (gpu >= old.length || old[gpu] == null) {
            return null;
        }
        for (Slice slice : old[gpu]) {
            if (slice.gpuInstanceId == gpuInstanceId) {
                return slice.owner;
            }
        }
        return null;
    }

    /** Takes whole GPUs ({@code mask}) of a node for a job. */
    public void allocate(Node node, int mask, String job) {
        unindex(node);
        node.allocatedMask |= mask;
        for (int gpu = 0; gpu < node.gpuCount; gpu++) {
            if ((mask & (1 << gpu)) != 0) {
                node.owner[gpu] = job;
            }
        }
        index(node);
    }

    /** Takes a MIG slice for a job. */
    public void allocate(Node node, int gpu, Slice slice, String job) {
        freeSlices -= slice.owner == null ? 1 : 0;
        slice.owner = job;
    }

    /** Gives back every GPU and slice {@code job} holds on {@code node}. */
    public void release(Node node, String job) {
        unindex(node);
        int allocated = node.allocatedMask;
        for (int gpu = 0; gpu < node.gpuCount; gpu++) {
            if (job.equals(node.owner[gpu])) {
                node.owner[gpu] = null;
                node.allocatedMask &= ~(1 << gpu);
            }
            for (Slice slice : node.slices[gpu]) {
                if (job.equals(slice.owner)) {
                    slice.owner = null;
                    freeSlices++;
                }
            }
        }
        if (node.allocatedMask != allocated) {
            leafFreedAt[node.leaf] = ++freed;
        }
        index(node);
    }

    /** Takes a node out of (or back into) placement, keeping what runs on it: a failed or cordoned node. */
    public void schedulable(Node node, boolean schedulable) {
        capacityVersion++;
        unindex(node);
        node.schedulable = schedulable;
        index(node);
    }

    /** What has been remembered about capacity (which jobs could ever fit) holds while this stays the same. */
    public long capacityVersion() {
        return capacityVersion;
    }

    /** How many times whole GPUs were given back so far: what did not fit as of one count still does not at the same. */
    public long freedCount() {
        return freed;
    }

    /** Whether whole GPUs under {@code leaf} were given back since the count was {@code count}. */
    public boolean freedSince(int leaf, long count) {
        return leafFreedAt[leaf] > count;
    }

    /** How many nodes of {@code model} under {@code leaf} have {@code atLeast} or more free whole GPUs. */
    public int leafNodesWithFree(int leaf, int model, int atLeast) {
        int nodes = 0;
        for (int free = atLeast; free <= MAX_GPUS; free++) {
            nodes += leafHistogram(leaf, model, free);
        }
        return nodes;
    }

    /** Whether no whole GPU and no MIG slice is free anywhere: then nothing can be placed without evicting. */
    public boolean nothingFree() {
        return freeWholeGpus == 0 && freeSlices == 0;
    }

    /** Free whole GPUs of {@code model}, cluster-wide. */
    public int freeGpus(int model) {
        return freeGpus.get(model)[0];
    }

    /** Marks nodes held for a reservation (backfill keeps later-ending work off them). */
    public void reserve(Node node, boolean reserved) {
        node.reserved = reserved;
    }

    public Node node(String name) {
        return byName.get(name);
    }

    public List<Node> nodes() {
        return nodes;
    }

    public int leafCount() {
        return leafNames.size();
    }

    public String leafName(int leaf) {
        return leafNames.get(leaf);
    }

    public int spineOfLeaf(int leaf) {
        return leafSpine.get(leaf);
    }

    public List<Node> leafNodes(int leaf) {
        return leafNodes.get(leaf);
    }

    public int modelCount() {
        return modelNames.size();
    }

    public String modelName(int model) {
        return modelNames.get(model);
    }

    /** Nodes of {@code model} with exactly {@code free} free whole GPUs. */
    public BitSet withFree(int model, int free) {
        return byModel.get(model)[free];
    }

    /** How many nodes of {@code model} under {@code leaf} have exactly {@code free} free whole GPUs. */
    public int leafHistogram(int leaf, int model, int free) {
        int[][] byModelHere = histogram.get(leaf);
        return model < byModelHere.length && byModelHere[model] != null ? byModelHere[model][free] : 0;
    }

    /** Free whole GPUs of {@code model} under {@code leaf}. */
    public int leafFree(int leaf, int model) {
        int[] byModelHere = leafFree.get(leaf);
        return model < byModelHere.length ? byModelHere[model] : 0;
    }

    private int model(String name) {
        String key = name == null ? "unknown" : name;
        Integer known = modelIndex.get(key);
        if (known != null) {
            return known;
        }
        modelNames.add(key);
        modelIndex.put(key, modelNames.size() - 1);
        BitSet[] buckets = new BitSet[MAX_GPUS + 1];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new BitSet();
        }
        byModel.add(buckets);
        freeGpus.add(new int[1]);
        return modelNames.size() - 1;
    }

    private void unindex(Node node) {
        if (node.bucket < 0) {
            return;
        }
        byModel.get(node.model)[node.bucket].clear(node.index);
        histogram.get(node.leaf)[node.model][node.bucket]--;
        leafFree.get(node.leaf)[node.model] -= node.bucket;
        freeGpus.get(node.model)[0] -= node.bucket;
        freeWholeGpus -= node.bucket;
        node.bucket = -1;
    }

    private void index(Node node) {
        int free = node.freeCount();
        node.bucket = free;
        byModel.get(node.model)[free].set(node.index);
        int[][] perModel = histogram.get(node.leaf);
        if (perModel.length <= node.model) {
            perModel = Arrays.copyOf(perModel, modelNames.size());
            histogram.set(node.leaf, perModel);
        }
        if (perModel[node.model] == null) {
            perModel[node.model] = new int[MAX_GPUS + 1];
        }
        perModel[node.model][free]++;
        if (leafFree.get(node.leaf).length <= node.model) {
            leafFree.set(node.leaf, Arrays.copyOf(leafFree.get(node.leaf), modelNames.size()));
        }
        leafFree.get(node.leaf)[node.model] += free;
        freeGpus.get(node.model)[0] += free;
        freeWholeGpus += free;
    }
}
