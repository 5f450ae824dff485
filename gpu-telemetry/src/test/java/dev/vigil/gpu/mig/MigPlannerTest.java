package dev.vigil.gpu.mig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class MigPlannerTest {

    private static Map<String, Integer> counts(Object... nameThenCount) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (int i = 0; i < nameThenCount.length; i += 2) {
            counts.put((String) nameThenCount[i], (Integer) nameThenCount[i + 1]);
        }
        return counts;
    }

    private static String layout(List<MigPlacement> placements) {
        return placements.stream().map(MigPlacement::toString).collect(Collectors.joining(", "));
    }

    private static Map<String, Long> countsOf(List<MigPlacement> placements) {
        return placements.stream().collect(Collectors.groupingBy(MigPlacement::profile, TreeMap::new, Collectors.counting()));
    }

    /** Plans, checks the result with the validator and the requested counts, and returns it as text. */
    private static String planned(MigGpuModel model, Map<String, Integer> request) {
        List<MigPlacement> placements = MigPlanner.plan(model, request);
        assertThat(MigLayoutValidator.problems(model, placements)).as(layout(placements)).isEmpty();
        Map<String, Long> expected = new TreeMap<>();
        request.forEach((name, count) -> {
            if (count > 0) {
                expected.put(name, (long) count);
            }
        });
        assertThat(countsOf(placements)).isEqualTo(expected);
        return layout(placements);
    }

    // --- mig-parted's stock configs (deployments/systemd/config-default.yaml) ----------------------

    @ParameterizedTest
    @EnumSource(MigGpuModel.class)
    void stockConfigsPlanLegallyWithTheExpectedCounts(MigGpuModel model) {
        GuideTable.Names n = GuideTable.names(model);
        // all-<1g>
        assertThat(planned(model, counts(n.one(), 7))).isEqualTo(
                n.one() + " at 0, " + n.one() + " at 1, " + n.one() + " at 2, " + n.one() + " at 3, "
                        + n.one() + " at 4, " + n.one() + " at 5, " + n.one() + " at 6");
        // all-<1g>.me
        assertThat(planned(model, counts(n.oneMe(), 1))).isEqualTo(n.oneMe() + " at 0");
        // all-<double 1g> (all-1g.20gb; on A100-40GB mig-parted's all-1g.10gb is 4×1g.10gb)
        assertThat(planned(model, counts(n.oneDouble(), 4))).isEqualTo(
                n.oneDouble() + " at 0, " + n.oneDouble() + " at 2, " + n.oneDouble() + " at 4, " + n.oneDouble() + " at 6");
        assertThat(planned(model, counts(n.two(), 3))).isEqualTo(
                n.two() + " at 0, " + n.two() + " at 2, " + n.two() + " at 4");
        assertThat(planned(model, counts(n.three(), 2))).isEqualTo(n.three() + " at 0, " + n.three() + " at 4");
        assertThat(planned(model, counts(n.four(), 1))).isEqualTo(n.four() + " at 0");
        assertThat(planned(model, counts(n.seven(), 1))).isEqualTo(n.seven() + " at 0");
        // all-balanced: the 3g cannot stay at 0 (the 2g would strand a 1g), so it moves to 4; 3g is created first.
        assertThat(planned(model, counts(n.one(), 2, n.two(), 1, n.three(), 1))).isEqualTo(
                n.three() + " at 4, " + n.two() + " at 0, " + n.one() + " at 2, " + n.one() + " at 3");
    }

    @Test
    void migPartedsA100FortyGigabyteSpellingOfAllOneGTenGb() {
        assertThat(planned(MigGpuModel.A100_40GB, counts("1g.10gb", 4)))
                .isEqualTo("1g.10gb at 0, 1g.10gb at 2, 1g.10gb at 4, 1g.10gb at 6");
        assertThat(planned(MigGpuModel.H100_80GB, counts("1g.10gb", 7))).startsWith("1g.10gb at 0, 1g.10gb at 1");
    }

    // --- choices ---------------------------------------------------------------------------------

    @Test
    void largestFirstAtTheLowestStartThatLetsTheRestFit() {
        MigGpuModel h100 = MigGpuModel.H100_80GB;
        assertThat(planned(h100, counts("2g.20gb", 1))).isEqualTo("2g.20gb at 0");
        assertThat(planned(h100, counts("3g.40gb", 1, "1g.10gb", 1))).isEqualTo("3g.40gb at 0, 1g.10gb at 4");
        assertThat(planned(h100, counts("3g.40gb", 1, "2g.20gb", 2))).isEqualTo("3g.40gb at 4, 2g.20gb at 0, 2g.20gb at 2");
        assertThat(planned(h100, counts("4g.40gb", 1, "1g.20gb", 1, "1g.10gb", 2)))
                .isEqualTo("4g.40gb at 0, 1g.20gb at 6, 1g.10gb at 4, 1g.10gb at 5");
        assertThat(planned(h100, counts("1g.10gb", 6, "1g.20gb", 1)))
                .isEqualTo("1g.20gb at 6, 1g.10gb at 0, 1g.10gb at 1, 1g.10gb at 2, 1g.10gb at 3, 1g.10gb at 4, 1g.10gb at 5");
    }

    @Test
    void threeSliceInstancesAreCreatedFirst() {
        // MIG User Guide known issue: creating a 3g instance after others can fail with "Insufficient Resources".
        assertThat(planned(MigGpuModel.H100_80GB, counts("4g.40gb", 1, "3g.40gb", 1))).isEqualTo("3g.40gb at 4, 4g.40gb at 0");
        assertThat(planned(MigGpuModel.A100_40GB, counts("1g.5gb", 3, "3g.20gb", 1)))
                .isEqualTo("3g.20gb at 0, 1g.5gb at 4, 1g.5gb at 5, 1g.5gb at 6");
    }

    @Test
    void deterministicWhateverTheMapOrderAndZeroCountsAskForNothing() {
        Map<String, Integer> linked = counts("1g.10gb", 2, "3g.40gb", 1, "2g.20gb", 1, "7g.80gb", 0);
        Map<String, Integer> hashed = new HashMap<>(linked);
        Map<String, Integer> reversed = counts("7g.80gb", 0, "2g.20gb", 1, "3g.40gb", 1, "1g.10gb", 2);
        List<MigPlacement> first = MigPlanner.plan(MigGpuModel.H100_80GB, linked);
        assertThat(MigPlanner.plan(MigGpuModel.H100_80GB, hashed)).isEqualTo(first);
        assertThat(MigPlanner.plan(MigGpuModel.H100_80GB, reversed)).isEqualTo(first);
        assertThat(MigPlanner.plan(MigGpuModel.H100_80GB, Map.of())).isEmpty();
        assertThat(MigPlanner.plan(MigGpuModel.H100_80GB, counts("7g.80gb", 0))).isEmpty();
    }

    // --- impossible requests ---------------------------------------------------------------------

    private static MigPlanException refusal(MigGpuModel model, Map<String, Integer> request) {
        return catchThrowableOfType(MigPlanException.class, () -> MigPlanner.plan(model, request));
    }

    @Test
    void tooManyOfOneProfile() {
        MigPlanException e = refusal(MigGpuModel.H100_80GB, counts("4g.40gb", 2));
        assertThat(e.reasons()).containsExactly("2×4g.40gb: at most 1 allowed");
        assertThat(e).hasMessage("cannot place 2×4g.40gb on H100-80GB: 2×4g.40gb: at most 1 allowed");
        assertThat(refusal(MigGpuModel.H100_80GB, counts("1g.10gb+me", 2)).reasons())
                .containsExactly("2×1g.10gb+me: at most 1 per GPU");
        assertThat(refusal(MigGpuModel.H200_141GB, counts("1g.18gb", 8)).reasons())
                .containsExactly("8×1g.18gb: at most 7 allowed");
    }

    @Test
    void tooManyComputeSlices() {
        MigPlanException e = refusal(MigGpuModel.H100_80GB, counts("2g.20gb", 3, "1g.10gb", 2));
        assertThat(e).hasMessage("cannot place 2×1g.10gb + 3×2g.20gb on H100-80GB: compute slices: 8 requested, the GPU has 7");
        assertThat(refusal(MigGpuModel.A100_40GB, counts("4g.20gb", 1, "3g.20gb", 1, "1g.5gb", 1)).reasons())
                .containsExactly("compute slices: 8 requested, the GPU has 7");
    }

    @Test
    void tooManyMemorySlicesNamesWhereTheSearchGotStuck() {
        MigPlanException e = refusal(MigGpuModel.H100_80GB, counts("3g.40gb", 1, "2g.20gb", 1, "1g.20gb", 2));
        assertThat(e.reasons()).containsExactly("no free placement left for 1g.20gb after 3g.40gb at 0, 2g.20gb at 4, "
                + "1g.20gb at 6 (memory slices: 10 requested, the GPU has 8)");
        assertThat(refusal(MigGpuModel.H100_80GB, counts("3g.40gb", 2, "1g.20gb", 1)).reasons())
                .containsExactly("no free placement left for 1g.20gb after 3g.40gb at 0, 3g.40gb at 4 "
                        + "(memory slices: 10 requested, the GPU has 8)");
    }

    @Test
    void unknownProfilesNegativeCountsAndOverfullProfilesAreAllReported() {
        MigPlanException e = refusal(MigGpuModel.H100_80GB, counts("5g.50gb", 1, "1g.10gb", -1, "3g.40gb", 3));
        assertThat(e.reasons()).containsExactly(
                "1g.10gb: count -1 is not allowed (0 or more)",
                "3×3g.40gb: at most 2 allowed",
                "unknown profile 5g.50gb on H100-80GB (profiles: 1g.10gb, 1g.10gb+me, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb)");
        assertThatThrownBy(() -> MigPlanner.plan(MigGpuModel.A100_40GB, counts("1g.10gb", 7)))
                .isInstanceOf(MigPlanException.class)
                .hasMessage("cannot place 7×1g.10gb on A100-40GB: 7×1g.10gb: at most 4 allowed");
    }

    // --- exhaustive: every request within the per-profile maxima -----------------------------------

    @ParameterizedTest
    @EnumSource(MigGpuModel.class)
    void everyRequestIsPlacedExactlyWhenItsSlicesFit(MigGpuModel model) {
        List<GuideTable.Row> rows = GuideTable.rows(model);
        Map<String, GuideTable.Row> byName = GuideTable.byName(rows);
        // The distinct profile-count multisets that some legal layout realises, from the oracle.
        java.util.Set<Map<String, Long>> realisable = new java.util.HashSet<>();
        GuideTable.legalLayouts(rows).forEach(layout -> realisable.add(countsOf(layout)));
        assertThat(realisable).hasSize(128);

        int placed = 0;
        int refused = 0;
        for (Map<String, Integer> request : allRequests(rows)) {
            int compute = request.entrySet().stream().mapToInt(e -> e.getValue() * byName.get(e.getKey()).computeSlices()).sum();
            int memory = request.entrySet().stream().mapToInt(e -> e.getValue() * byName.get(e.getKey()).memorySlices()).sum();
            Map<String, Long> wanted = request.entrySet().stream().filter(e -> e.getValue() > 0)
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> (long) e.getValue(), (a, b) -> a, TreeMap::new));
            boolean fits = compute <= 7 && memory <= 8;
            assertThat(realisable.contains(wanted)).as("oracle vs slice sums for " + request).isEqualTo(fits);
            if (fits) {
                List<MigPlacement> placements = MigPlanner.plan(model, request);
                assertThat(MigLayoutValidator.problems(model, placements)).as(request.toString()).isEmpty();
                assertThat(countsOf(placements)).isEqualTo(wanted);
                assertCreationOrder(model, placements);
                placed++;
            } else {
                MigPlanException e = refusal(model, request);
                assertThat(e).as(request.toString()).isNotNull();
                assertThat(e.reasons()).singleElement().asString()
                        .matches(compute > 7 ? "compute slices: \\d+ requested, the GPU has 7"
                                : "no free placement left for .* \\(memory slices: \\d+ requested, the GPU has 8\\)");
                refused++;
            }
        }
        assertThat(placed).isEqualTo(128);
        assertThat(refused).isEqualTo(8 * 2 * 5 * 4 * 3 * 2 * 2 - 128);
    }

    private static void assertCreationOrder(MigGpuModel model, List<MigPlacement> placements) {
        Function<MigPlacement, MigProfile> profile = p -> model.profile(p.profile()).orElseThrow();
        List<MigPlacement> rest = new ArrayList<>();
        boolean pastThreeSlice = false;
        for (MigPlacement placement : placements) {
            boolean threeSlice = profile.apply(placement).profileId() == 9;
            assertThat(threeSlice && pastThreeSlice).as("3g instances come first: " + placements).isFalse();
            pastThreeSlice |= !threeSlice;
            if (!threeSlice) {
                rest.add(placement);
            }
        }
        for (int i = 1; i < rest.size(); i++) {
            assertThat(profile.apply(rest.get(i)).memorySlices()).as("largest first: " + placements)
                    .isLessThanOrEqualTo(profile.apply(rest.get(i - 1)).memorySlices());
        }
    }

    /** Every combination of counts from 0 to each profile's maximum (8·2·5·4·3·2·2 = 3840). */
    private static List<Map<String, Integer>> allRequests(List<GuideTable.Row> rows) {
        List<Map<String, Integer>> requests = new ArrayList<>();
        requests.add(new LinkedHashMap<>());
        for (GuideTable.Row row : rows) {
            List<Map<String, Integer>> next = new ArrayList<>();
            for (Map<String, Integer> partial : requests) {
                for (int count = 0; count <= row.max(); count++) {
                    Map<String, Integer> extended = new LinkedHashMap<>(partial);
                    extended.put(row.name(), count);
                    next.add(extended);
                }
            }
            requests = next;
        }
        return requests;
    }

    @Test
    void instancesOfOneSizeAreCreatedLargestFirstWhateverTheTableOrder() {
        // the table lists 1g.10gb before 1g.20gb and 1g.20gb before 2g.20gb
        assertThat(layout(MigPlanner.plan(MigGpuModel.H100_80GB, counts("1g.10gb", 1, "1g.20gb", 1))))
                .isEqualTo("1g.20gb at 0, 1g.10gb at 2");
        assertThat(layout(MigPlanner.plan(MigGpuModel.H100_80GB, counts("1g.20gb", 1, "2g.20gb", 1))))
                .isEqualTo("2g.20gb at 0, 1g.20gb at 2");
    }

    @Test
    void theRequestIsDescribedWithoutItsZeroCounts() {
        assertThat(MigPlanner.describe(MigGpuModel.H100_80GB, counts("1g.10gb", 0, "3g.40gb", 1, "7g.80gb", 0)))
                .isEqualTo("1×3g.40gb");
        assertThat(MigPlanner.describe(MigGpuModel.H100_80GB, counts("1g.10gb", 0))).isEqualTo("nothing");
    }
}
