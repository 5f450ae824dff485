package dev.vigil.gpu.mig;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Checks a set of GPU instances against a model's MIG geometry. The rules are the MIG User
 * Guide's: each instance starts where its profile may start, no two instances share a memory
 * slice, the instances take at most 7 SM slices, and no profile has more instances than its
 * maximum. (For these four GPUs the first two rules already imply the last two except for
 * {@code +me}, which may exist once per GPU; the checks stay so every broken rule is named.)
 */
public final class MigLayoutValidator {
    private MigLayoutValidator() {
    }

    /**
     * Every reason the layout is illegal, one full sentence each, in a stable order (per instance,
     * then overlaps, then compute, then counts); an empty list means the layout is legal.
     */
    public static List<String> problems(MigGpuModel model, List<MigPlacement> layout) {
        List<String> problems = new ArrayList<>();
        List<Placed> placed = new ArrayList<>();
        for (MigPlacement placement : layout) {
            Optional<MigProfile> profile = model.profile(placement.profile());
            if (profile.isEmpty()) {
                problems.add(model.unknownProfile(placement.profile()));
                continue;
            }
            if (!profile.get().starts().contains(placement.start())) {
                problems.add(placement.profile() + " at slice " + placement.start() + ": start must be "
                        + oneOf(profile.get().starts()));
            }
            placed.add(new Placed(placement, profile.get()));
        }
        for (int i = 0; i < placed.size(); i++) {
            for (int j = i + 1; j < placed.size(); j++) {
                int shared = placed.get(i).mask() & placed.get(j).mask();
                if (shared != 0) {
                    problems.add(placed.get(i).placement() + " and " + placed.get(j).placement()
                            + " overlap on " + slices(shared));
                }
            }
        }
        int compute = placed.stream().mapToInt(p -> p.profile().computeSlices()).sum();
        if (compute > MigGpuModel.COMPUTE_SLICES) {
            problems.add("compute slices: " + compute + " used, the GPU has " + MigGpuModel.COMPUTE_SLICES);
        }
        for (MigProfile profile : model.profiles()) {
            long count = placed.stream().filter(p -> p.profile().equals(profile)).count();
            if (count > profile.maxCount()) {
                problems.add(profile.name() + ": " + count + " instances, at most " + profile.maxCount()
                        + (profile.mediaExtensions() ? " per GPU" : " allowed"));
            }
        }
        return problems;
    }

    /** {@code one of 0, 2, 4}, or just {@code 0} when there is no choice. */
    static String oneOf(List<Integer> values) {
        String joined = values.stream().map(String::valueOf).collect(Collectors.joining(", "));
        return values.size() == 1 ? joined : "one of " + joined;
    }

    /** {@code memory slice 2} or {@code memory slices 2-3}; a shared region is always contiguous. */
    private static String slices(int mask) {
        int first = Integer.numberOfTrailingZeros(mask);
        int last = 31 - Integer.numberOfLeadingZeros(mask);
        return first == last ? "memory slice " + first : "memory slices " + first + "-" + last;
    }

    private record Placed(MigPlacement placement, MigProfile profile) {
        int mask() {
            return profile.mask(placement.start());
        }
    }
}
