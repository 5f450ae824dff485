package dev.vigil.sim.cluster;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.scheduler.policy.SchedulerPolicy;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A simulated cluster as written in YAML ({@code sim/clusters/*.yaml}, the format is in
 * docs/sim.md). Nodes come from groups, from an Alibaba node list, or both; each group (and
 * the list) starts on a leaf switch of its own, and leaves hang under spines in order.
 *
 * @param name           for reports (default: the file's name)
 * @param groups         node groups
 * @param nodeList       nodes read from an Alibaba 2023 node list ({@code openb_node_list_gpu_node.csv})
 * @param leavesPerSpine how many leaves hang under each spine switch, in order (default: all under one spine)
 * @param scheduler      the scheduler's policy, as in the controller's config: tenants, quotas, priority
 *                       classes, backfill, preemption (default: the controller's defaults)
 */
public record ClusterFile(String name, List<NodeGroup> groups, NodeList nodeList, Integer leavesPerSpine,
                          SchedulerPolicy scheduler) {
    public ClusterFile {
        groups = groups == null ? List.of() : List.copyOf(groups);
        InvalidValueException.require(!groups.isEmpty() || nodeList != null, "groups", "(none)",
                "at least one node group, or a nodeList");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < groups.size(); i++) {
            InvalidValueException.require(names.add(groups.get(i).name()), "groups[" + i + "].name",
                    groups.get(i).name(), "a name no other group has (it prefixes the node names)");
        }
        InvalidValueException.require(leavesPerSpine == null || leavesPerSpine >= 1, "leavesPerSpine", leavesPerSpine,
                "1 or more");
        scheduler = scheduler == null ? SchedulerPolicy.defaults() : scheduler;
    }

    /**
     * Nodes alike: {@code count} of them {@code nodesPerLeaf} to a leaf, or {@code leaves} ×
     * {@code nodesPerLeaf}. Named {@code NAME-0000}, {@code NAME-0001}, ...
     *
     * @param name         prefix of the node names: lower-case letters, digits and dashes
     * @param model        the GPU product name, as NVML reports it, e.g. {@code NVIDIA H100 80GB HBM3}
     * @param count        how many nodes (or give {@code leaves})
     * @param leaves       how many full leaves of nodes (or give {@code count})
     * @param nodesPerLeaf how many nodes hang under one leaf switch
     * @param gpusPerNode  GPUs in each node, 1 to 32
     * @param layout       hgx (default) or pcie
     * @param mig          MIG slices on some GPUs of every node, or none
     * @param pool         the node pool, or none
     */
    public record NodeGroup(String name, String model, Integer count, Integer leaves, Integer nodesPerLeaf,
                            Integer gpusPerNode, Layout layout, Mig mig, String pool) {
        public NodeGroup {
            InvalidValueException.required(name, "name", "a name for the group, e.g. h100");
            InvalidValueException.require(name.matches("[a-z0-9][a-z0-9-]{0,40}"), "name", name,
                    "lower-case letters, digits and dashes, up to 41");
            InvalidValueException.required(model, "model", "the GPU product name, e.g. NVIDIA H100 80GB HBM3");
            InvalidValueException.require(count == null || leaves == null, "count", count,
                    "either count or leaves, not both");
            InvalidValueException.require(count != null || leaves != null, "count", null,
                    "how many nodes (or leaves, with nodesPerLeaf)");
            InvalidValueException.require(count == null || count >= 1 && count <= 100_000, "count", count,
                    "1 to 100000");
            InvalidValueException.require(leaves == null || leaves >= 1 && leaves <= 10_000, "leaves", leaves,
                    "1 to 10000");
            InvalidValueException.required(nodesPerLeaf, "nodesPerLeaf", "how many nodes hang under one leaf switch");
            InvalidValueException.require(nodesPerLeaf >= 1 && nodesPerLeaf <= 10_000, "nodesPerLeaf", nodesPerLeaf,
                    "1 to 10000");
            InvalidValueException.required(gpusPerNode, "gpusPerNode", "GPUs in each node, e.g. 8");
            InvalidValueException.require(gpusPerNode >= 1 && gpusPerNode <= 32, "gpusPerNode", gpusPerNode, "1 to 32");
            layout = layout == null ? Layout.HGX : layout;
            if (mig != null) {
                InvalidValueException.require(mig.gpus() <= gpusPerNode, "mig.gpus", mig.gpus(),
                        "at most gpusPerNode (" + gpusPerNode + ")");
            }
        }

        /** How many nodes the group has. */
        public int nodes() {
            return count != null ? count : leaves * nodesPerLeaf;
        }
    }

    /**
     * MIG on the first {@code gpus} GPUs of every node of a group: each cut into {@code instances}
     * GPU instances of {@code profile}. Such GPUs take only slice work; the others stay whole.
     *
     * @param gpus      how many GPUs of each node are in MIG mode
     * @param profile   the GPU instance profile, e.g. 1g.10gb or 3g.40gb
     * @param instances how many instances of it each such GPU holds (their compute slices add up to at most 7)
     */
    public record Mig(Integer gpus, String profile, Integer instances) {
        public Mig {
            InvalidValueException.required(gpus, "gpus", "how many GPUs of each node are in MIG mode");
            InvalidValueException.require(gpus >= 1, "gpus", gpus, "1 or more");
            InvalidValueException.required(profile, "profile", "a MIG profile such as 1g.10gb or 3g.40gb");
            InvalidValueException.require(profile.matches("[1-7]g\\.\\d+gb(\\+me)?"), "profile", profile,
                    "a MIG profile such as 1g.10gb, 3g.40gb or 1g.10gb+me");
            InvalidValueException.required(instances, "instances", "how many instances of the profile each GPU holds");
            int slices = computeSlices(profile);
            InvalidValueException.require(instances >= 1 && instances * slices <= 7, "instances", instances,
                    "1 to " + 7 / slices + " (a GPU has 7 compute slices; " + profile + " takes " + slices + ")");
        }

        /** The compute slices (of 7) one instance of {@code profile} takes: the number before "g". */
        public static int computeSlices(String profile) {
            return Integer.parseInt(profile.substring(0, profile.indexOf('g')));
        }
    }

    /**
     * Nodes read from an Alibaba 2023 node list ({@code sn,cpu_milli,memory_mib,gpu,model}), laid
     * out in file order, {@code nodesPerLeaf} to a leaf. The list has no topology of its own.
     *
     * @param file         the CSV; a relative path is read from the cluster file's folder
     * @param nodesPerLeaf how many nodes hang under one leaf switch
     * @param layout       pcie (default: the list does not say which nodes have NVLink) or hgx
     * @param every        take every n-th node of the list, from the first (default 1: all): a smaller
     *                     cluster with the list's mix of models
     */
    public record NodeList(Path file, Integer nodesPerLeaf, Layout layout, Integer every) {
        public NodeList {
            every = every == null ? 1 : every;
            InvalidValueException.require(every >= 1, "every", every, "1 or more");
            InvalidValueException.required(file, "file", "the node list CSV, e.g. openb_node_list_gpu_node.csv");
            InvalidValueException.required(nodesPerLeaf, "nodesPerLeaf", "how many nodes hang under one leaf switch");
            InvalidValueException.require(nodesPerLeaf >= 1 && nodesPerLeaf <= 10_000, "nodesPerLeaf", nodesPerLeaf,
                    "1 to 10000");
            layout = layout == null ? Layout.PCIE : layout;
        }
    }
}
