package dev.vigil.gpu.mig;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Chooses placements for requested instance counts. Deterministic: instances are placed largest
 * first, each at the lowest start that still lets the rest fit (a depth-first search, so a choice
 * that strands a later instance is undone). Largest-first at the lowest start keeps the biggest
 * contiguous free region at the top of the GPU.
 *
 * <p>The result is in creation order: 3g instances first, because the MIG User Guide's known issue
 * says creating them after other profiles can fail with "Insufficient Resources"; then the rest
 * largest first, then by start.
 */
public final class MigPlanner {
    private MigPlanner() {
    }

    /**
     * Placements for {@code counts} (profile name to instance count; a count of 0 asks for nothing).
     *
     * @throws MigPlanException when no legal layout holds the request; its reasons name the counts
     *                          and the rule (unknown profile, per-profile maximum, compute or memory slices)
     */
    public static List<MigPlacement> plan(MigGpuModel model, Map<String, Integer> counts) {
        List<String> problems = new ArrayList<>();
        List<MigProfile> instances = new ArrayList<>();
        for (Map.Entry<String, Integer> request : inModelOrder(model, counts)) {
            String name = request.getKey();
            int count = request.getValue() == null ? 0 : request.getValue();
            Optional<MigProfile> profile = model.profile(name);
            if (count < 0) {
                problems.add(name + ": count " + count + " is not allowed (0 or more)");
            } else if (profile.isEmpty()) {
                problems.add(model.unknownProfile(name));
            } else if (count > profile.get().maxCount()) {
                problems.add(count + "×" + name + ": at most " + profile.get().maxCount()
                        + (profile.get().mediaExtensions() ? " per GPU" : " allowed"));
            } else {
                for (int i = 0; i < count; i++) {
                    instances.add(profile.get());
                }
            }
        }
        String what = "cannot place " + describe(model, counts) + " on " + model.displayName();
        if (!problems.isEmpty()) {
            throw new MigPlanException(what, problems);
        }
        int compute = instances.stream().mapToInt(MigProfile::computeSlices).sum();
        if (compute > MigGpuModel.COMPUTE_SLICES) {
            throw new MigPlanException(what, List.of(
                    "compute slices: " + compute + " requested, the GPU has " + MigGpuModel.COMPUTE_SLICES));
        }
        instances.sort(Comparator.comparingInt(MigProfile::memorySlices).reversed()
                .thenComparing(Comparator.comparingInt(MigProfile::computeSlices).reversed())
                .thenComparingInt(model.profiles()::indexOf));
        Search search = new Search(instances);
        if (!search.place(0, 0)) {
            int memory = instances.stream().mapToInt(MigProfile::memorySlices).sum();
            throw new MigPlanException(what, List.of(search.stuck() + " (memory slices: " + memory
                    + " requested, the GPU has " + MigGpuModel.MEMORY_SLICES + ")"));
        }
        return creationOrder(model, search.chosen());
    }

    /** {@code 2×1g.10gb + 1×2g.20gb + 1×3g.40gb}, zero counts left out. */
    static String describe(MigGpuModel model, Map<String, Integer> counts) {
        String described = inModelOrder(model, counts).stream()
                .filter(request -> request.getValue() != 0)
                .map(request -> request.getValue() + "×" + request.getKey())
                .collect(Collectors.joining(" + "));
        return described.isEmpty() ? "nothing" : described;
    }

    /** Known profiles in table order, then unknown names alphabetically, whatever map the caller used. */
    private static List<Map.Entry<String, Integer>> inModelOrder(MigGpuModel model, Map<String, Integer> counts) {
        List<Map.Entry<String, Integer>> ordered = new ArrayList<>();
        for (MigProfile profile : model.profiles()) {
            if (counts.containsKey(profile.name())) {
                ordered.add(Map.entry(profile.name(), nullSafe(counts.get(profile.name()))));
            }
        }
        new TreeMap<>(counts).forEach((name, count) -> {
            if (model.profile(name).isEmpty()) {
                ordered.add(Map.entry(name, nullSafe(count)));
            }
        });
        return ordered;
    }

    private static Integer nullSafe(Integer count) {
        return count == null ? 0 : count;
    }

    private static List<MigPlacement> creationOrder(MigGpuModel model, List<MigPlacement> placements) {
        Comparator<MigPlacement> threeSliceFirst = Comparator.comparing(p -> profileOf(model, p).profileId() != 9);
        return placements.stream()
                .sorted(threeSliceFirst
                        .thenComparing(Comparator.comparingInt((MigPlacement p) -> profileOf(model, p).memorySlices()).reversed())
                        .thenComparing(Comparator.comparingInt((MigPlacement p) -> profileOf(model, p).computeSlices()).reversed())
                        .thenComparingInt(p -> model.profiles().indexOf(profileOf(model, p)))
                        .thenComparingInt(MigPlacement::start))
                .toList();
    }

    private static MigProfile profileOf(MigGpuModel model, MigPlacement placement) {
        return model.profile(placement.profile()).orElseThrow();
    }

    /** Depth-first search over starts; remembers the deepest dead end for the error message. */
    private static final class Search {
        private final List<MigProfile> instances;
        private final int[] starts;
        private int deepest = -1;
        private List<MigPlacement> deepestPlaced = List.of();

        Search(List<MigProfile> instances) {
            this.instances = instances;
            this.starts = new int[instances.size()];
        }

        boolean place(int index, int used) {
            if (index == instances.size()) {
                return true;
            }
            MigProfile profile = instances.get(index);
            // Identical instances take ascending starts, so no layout is tried twice in another order.
            int after = index > 0 && instances.get(index - 1).equals(profile) ? starts[index - 1] : -1;
            for (int start : profile.starts()) {
                int mask = profile.mask(start);
                if (start > after && (used & mask) == 0) {
                    starts[index] = start;
                    if (place(index + 1, used | mask)) {
                        return true;
                    }
                }
            }
            if (index > deepest) {
                deepest = index;
                deepestPlaced = List.copyOf(chosen().subList(0, index));
            }
            return false;
        }

        List<MigPlacement> chosen() {
            List<MigPlacement> placements = new ArrayList<>();
            for (int i = 0; i < instances.size(); i++) {
                placements.add(new MigPlacement(instances.get(i).name(), starts[i]));
            }
            return placements;
        }

        String stuck() {
            String name = instances.get(deepest).name();
            return deepestPlaced.isEmpty()
                    ? "no free placement for " + name
                    : "no free placement left for " + name + " after "
                            + deepestPlaced.stream().map(MigPlacement::toString).collect(Collectors.joining(", "));
        }
    }
}
