package dev.vigil.gpu.mig;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How {@code Nc.} keys become GPU instances. mig-parted creates the compute instances of one
 * GPU-instance profile largest first and puts each into the GPU instance it created last while that
 * one has room, trying other orders when a GPU instance cannot be created; the net effect, modelled
 * here, is the compute instances packed first-fit-decreasing onto as few GPU instances of the profile
 * as hold them. For these bin sizes (1, 2, 3, 4 or 7 slices) first-fit-decreasing is also the fewest.
 *
 * <p>A GPU instance offers compute instances of the sizes mig-parted's A100 enumeration lists
 * (1g: 1c; 2g: 1c, 2c; 3g: 1c, 2c, 3c; 4g: 1c, 2c, 4c; 7g: 1c, 2c, 3c, 4c, 7c); sizes that sum to
 * at most its SM slices fit together (go-nvml's compute-instance placements allow every such mix).
 *
 * @param profile the GPU-instance profile
 * @param sizes   the compute-instance sizes requested of it, one element per compute instance
 */
record ComputeInstancePacking(MigProfile profile, List<Integer> sizes) {
    private static final Map<Integer, List<Integer>> OFFERED = Map.of(
            1, List.of(1), 2, List.of(1, 2), 3, List.of(1, 2, 3), 4, List.of(1, 2, 4), 7, List.of(1, 2, 3, 4, 7));

    ComputeInstancePacking {
        sizes = List.copyOf(sizes);
    }

    /** The compute-instance sizes a GPU instance of {@code profile} offers. */
    static List<Integer> offered(MigProfile profile) {
        return OFFERED.getOrDefault(profile.computeSlices(), List.of(profile.computeSlices()));
    }

    /** {@code 1c, 2c or 3c}, for messages. */
    static String offeredText(MigProfile profile) {
        List<String> names = offered(profile).stream().map(size -> size + "c").toList();
        return names.size() == 1 ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }

    /** The GPU instances, each the list of its compute-instance sizes, largest first. */
    List<List<Integer>> gpuInstances() {
        List<List<Integer>> bins = new ArrayList<>();
        List<Integer> free = new ArrayList<>();
        for (int size : sizes.stream().sorted(Comparator.reverseOrder()).toList()) {
            int bin = 0;
            while (bin < bins.size() && free.get(bin) < size) {
                bin++;
            }
            if (bin == bins.size()) {
                bins.add(new ArrayList<>());
                free.add(profile.computeSlices());
            }
            bins.get(bin).add(size);
            free.set(bin, free.get(bin) - size);
        }
        return bins;
    }

    /** mig-parted's name for a compute instance of {@code size} slices in this profile. */
    String computeInstanceName(int size) {
        return size == profile.computeSlices() ? profile.name() : size + "c." + profile.name();
    }

    /** Whether any compute instance is smaller than its GPU instance, i.e. packing changed the count. */
    boolean splits() {
        return sizes.stream().anyMatch(size -> size != profile.computeSlices());
    }

    /** {@code 6×1c.3g.40gb onto 2×3g.40gb}, to explain a count the user did not write. */
    String explain() {
        String requested = sizes.stream().sorted(Comparator.reverseOrder())
                .collect(Collectors.groupingBy(this::computeInstanceName, LinkedHashMap::new, Collectors.counting()))
                .entrySet().stream().map(e -> e.getValue() + "×" + e.getKey()).collect(Collectors.joining(" + "));
        return requested + " onto " + gpuInstances().size() + "×" + profile.name();
    }
}
