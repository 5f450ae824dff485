package dev.vigil.gpu.mig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class MigLayoutValidatorTest {

    private static List<String> problems(MigGpuModel model, MigPlacement... layout) {
        return MigLayoutValidator.problems(model, List.of(layout));
    }

    private static MigPlacement at(String profile, int start) {
        return new MigPlacement(profile, start);
    }

    /** A layout as a set-like key: order of the placements does not matter. */
    private static String key(List<MigPlacement> layout) {
        return layout.stream().map(MigPlacement::toString).sorted().collect(Collectors.joining(", "));
    }

    // --- exhaustive: every legal layout accepted, every one-step extension judged right ------------

    @ParameterizedTest
    @EnumSource(MigGpuModel.class)
    void everyLegalLayoutIsAcceptedAndTheirNumberIsPinned(MigGpuModel model) {
        List<List<MigPlacement>> legal = GuideTable.legalLayouts(GuideTable.rows(model));
        // Same geometry on all four models, so the same count: 2318 non-empty layouts plus the empty one.
        assertThat(legal).hasSize(2319);
        for (List<MigPlacement> layout : legal) {
            assertThat(MigLayoutValidator.problems(model, layout)).as(layout.toString()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(MigGpuModel.class)
    void addingAnyPlacementToALegalLayoutIsJudgedLikeTheEnumeration(MigGpuModel model) {
        List<GuideTable.Row> rows = GuideTable.rows(model);
        List<List<MigPlacement>> legal = GuideTable.legalLayouts(rows);
        Set<String> legalKeys = legal.stream().map(MigLayoutValidatorTest::key).collect(Collectors.toSet());
        int refused = 0;
        for (List<MigPlacement> layout : legal) {
            for (MigPlacement extra : GuideTable.candidates(rows)) {
                List<MigPlacement> extended = new ArrayList<>(layout);
                extended.add(extra);
                boolean expectLegal = legalKeys.contains(key(extended));
                List<String> problems = MigLayoutValidator.problems(model, extended);
                assertThat(problems.isEmpty()).as(extended + " -> " + problems).isEqualTo(expectLegal);
                refused += expectLegal ? 0 : 1;
            }
        }
        // 2319 layouts × 25 allowed placements; the rest (9129) are legal layouts reached another way.
        assertThat(refused).as("illegal one-step extensions checked").isEqualTo(48_846);
    }

    @ParameterizedTest
    @EnumSource(MigGpuModel.class)
    void everyStartOutsideTheGuidesListIsRefused(MigGpuModel model) {
        for (GuideTable.Row row : GuideTable.rows(model)) {
            for (int start = -1; start <= 8; start++) {
                List<String> problems = problems(model, at(row.name(), start));
                if (row.starts().contains(start)) {
                    assertThat(problems).as(row.name() + " at " + start).isEmpty();
                } else {
                    assertThat(problems).as(row.name() + " at " + start)
                            .containsExactly(row.name() + " at slice " + start + ": start must be "
                                    + MigLayoutValidator.oneOf(row.starts()));
                }
            }
        }
    }

    // --- cross-check against NVIDIA's documented combinations ------------------------------------

    /**
     * The combinations of NVIDIA's A100 profile figure (one instance per block, no two blocks sharing a
     * memory column), counted as the multisets of maximal layouts over the five classic profiles. Twelve
     * are listed as NVIDIA's A100 combinations in nebuly-ai/nos (pkg/gpu/mig/known_configs.go); the guide
     * adds 4g+3g (unsupported only before R510); 3g+4×1g follows from the figure's rule and is missing
     * from that list (3g at 4, four 1g at 0-3: 7 SM slices, no shared slice).
     */
    private static final List<String> DOCUMENTED_COMBINATIONS = List.of(
            "7", "4+3", "4+2+1", "4+1+1+1", "3+3", "3+2+2", "3+2+1+1", "3+2+1", "3+1+1+1+1", "3+1+1+1",
            "2+2+2+1", "2+2+1+1+1", "2+1+1+1+1+1", "1+1+1+1+1+1+1");

    @ParameterizedTest
    @EnumSource(MigGpuModel.class)
    void maximalLayoutsOfTheClassicProfilesAreTheDocumentedCombinations(MigGpuModel model) {
        GuideTable.Names names = GuideTable.names(model);
        List<GuideTable.Row> classic = GuideTable.rows(model).stream()
                .filter(row -> List.of(names.one(), names.two(), names.three(), names.four(), names.seven()).contains(row.name()))
                .toList();
        List<List<MigPlacement>> legal = GuideTable.legalLayouts(classic);
        List<List<MigPlacement>> maximal = maximal(legal, classic);
        assertThat(legal).hasSize(298);
        assertThat(maximal).hasSize(19);

        Map<String, String> kind = Map.of(names.one(), "1", names.two(), "2", names.three(), "3",
                names.four(), "4", names.seven(), "7");
        Set<String> combinations = new HashSet<>();
        for (List<MigPlacement> layout : maximal) {
            combinations.add(layout.stream().map(p -> kind.get(p.profile()))
                    .sorted(Comparator.reverseOrder()).collect(Collectors.joining("+")));
        }
        assertThat(combinations).containsExactlyInAnyOrderElementsOf(DOCUMENTED_COMBINATIONS);
        for (String combination : DOCUMENTED_COMBINATIONS) {
            Map<String, Integer> counts = new TreeMap<>();
            Arrays.stream(combination.split("\\+")).forEach(k -> counts.merge(
                    kind.entrySet().stream().filter(e -> e.getValue().equals(k)).findFirst().orElseThrow().getKey(),
                    1, Integer::sum));
            assertThat(MigLayoutValidator.problems(model, MigPlanner.plan(model, counts))).as(combination).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(MigGpuModel.class)
    void maximalLayoutsOverAllProfilesArePinned(MigGpuModel model) {
        List<GuideTable.Row> rows = GuideTable.rows(model);
        assertThat(maximal(GuideTable.legalLayouts(rows), rows)).hasSize(239);
    }

    /** Layouts to which no further allowed placement can be added. */
    private static List<List<MigPlacement>> maximal(List<List<MigPlacement>> legal, List<GuideTable.Row> rows) {
        Set<String> keys = legal.stream().map(MigLayoutValidatorTest::key).collect(Collectors.toSet());
        List<List<MigPlacement>> maximal = new ArrayList<>();
        for (List<MigPlacement> layout : legal) {
            boolean extendable = GuideTable.candidates(rows).stream().anyMatch(extra -> {
                List<MigPlacement> extended = new ArrayList<>(layout);
                extended.add(extra);
                return !layout.contains(extra) && keys.contains(key(extended));
            });
            if (!extendable && !layout.isEmpty()) {
                maximal.add(layout);
            }
        }
        return maximal;
    }

    // --- hand-checked samples --------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(MigGpuModel.class)
    void handCheckedLegalLayouts(MigGpuModel model) {
        GuideTable.Names n = GuideTable.names(model);
        List<List<MigPlacement>> samples = List.of(
                List.of(at(n.one(), 0), at(n.one(), 1), at(n.one(), 2), at(n.one(), 3), at(n.one(), 4), at(n.one(), 5), at(n.one(), 6)),
                List.of(at(n.three(), 0), at(n.three(), 4)),
                List.of(at(n.four(), 0), at(n.three(), 4)),
                List.of(at(n.four(), 0), at(n.two(), 4), at(n.one(), 6)),
                List.of(at(n.two(), 0), at(n.two(), 2), at(n.three(), 4)),
                List.of(at(n.one(), 0), at(n.one(), 1), at(n.one(), 2), at(n.one(), 3), at(n.three(), 4)),
                List.of(at(n.oneDouble(), 0), at(n.oneDouble(), 2), at(n.oneDouble(), 4), at(n.oneDouble(), 6)),
                List.of(at(n.oneMe(), 0), at(n.one(), 1), at(n.one(), 2), at(n.one(), 3), at(n.one(), 4), at(n.one(), 5), at(n.one(), 6)),
                List.of(at(n.two(), 0), at(n.two(), 2), at(n.two(), 4), at(n.oneDouble(), 6)),
                List.of(at(n.seven(), 0)),
                List.of());
        for (List<MigPlacement> sample : samples) {
            assertThat(MigLayoutValidator.problems(model, sample)).as(sample.toString()).isEmpty();
        }
    }

    // --- illegal layouts, exact reasons ----------------------------------------------------------

    @ParameterizedTest
    @EnumSource(MigGpuModel.class)
    void illegalLayoutsNameTheInstanceAndTheRule(MigGpuModel model) {
        GuideTable.Names n = GuideTable.names(model);
        assertThat(problems(model, at(n.two(), 1)))
                .containsExactly(n.two() + " at slice 1: start must be one of 0, 2, 4");
        assertThat(problems(model, at(n.four(), 4)))
                .containsExactly(n.four() + " at slice 4: start must be 0");
        assertThat(problems(model, at(n.one(), 7)))
                .containsExactly(n.one() + " at slice 7: start must be one of 0, 1, 2, 3, 4, 5, 6");
        assertThat(problems(model, at(n.three(), 0), at(n.two(), 2)))
                .containsExactly(n.three() + " at 0 and " + n.two() + " at 2 overlap on memory slices 2-3");
        assertThat(problems(model, at(n.seven(), 0), at(n.one(), 3))).containsExactly(
                n.seven() + " at 0 and " + n.one() + " at 3 overlap on memory slice 3",
                "compute slices: 8 used, the GPU has 7");
        assertThat(problems(model, at(n.four(), 0), at(n.four(), 0))).containsExactly(
                n.four() + " at 0 and " + n.four() + " at 0 overlap on memory slices 0-3",
                "compute slices: 8 used, the GPU has 7",
                n.four() + ": 2 instances, at most 1 allowed");
        assertThat(problems(model, at(n.oneMe(), 0), at(n.oneMe(), 1)))
                .containsExactly(n.oneMe() + ": 2 instances, at most 1 per GPU");
        assertThat(problems(model, at(n.two(), 0), at(n.two(), 2), at(n.two(), 4), at(n.one(), 6), at(n.oneMe(), 6)))
                .containsExactly(n.one() + " at 6 and " + n.oneMe() + " at 6 overlap on memory slice 6",
                        "compute slices: 8 used, the GPU has 7");
        assertThat(problems(model, at(n.oneDouble(), 1), at(n.oneDouble(), 6)))
                .containsExactly(n.oneDouble() + " at slice 1: start must be one of 0, 2, 4, 6");
        assertThat(problems(model, at(n.three(), 6)))
                .containsExactly(n.three() + " at slice 6: start must be one of 0, 4");
        assertThat(problems(model, at("5g.50gb", 0), at(n.one(), 0))).containsExactly(
                "unknown profile 5g.50gb on " + model.displayName() + " (profiles: " + String.join(", ", n.all()) + ")");
    }

    @Test
    void eightSmallInstancesBreakThreeRules() {
        List<MigPlacement> layout = new ArrayList<>();
        for (int start = 0; start < 7; start++) {
            layout.add(at("1g.10gb", start));
        }
        layout.add(at("1g.10gb", 3));
        assertThat(MigLayoutValidator.problems(MigGpuModel.H100_80GB, layout)).containsExactly(
                "1g.10gb at 3 and 1g.10gb at 3 overlap on memory slice 3",
                "compute slices: 8 used, the GPU has 7",
                "1g.10gb: 8 instances, at most 7 allowed");
    }

    @Test
    void namesMeanWhatTheyMeanOnTheirModel() {
        // On an A100-40GB "1g.10gb" is the two-slice 1g profile (id 15); on an H100 it is the one-slice one.
        assertThat(problems(MigGpuModel.A100_40GB, at("1g.10gb", 1)))
                .containsExactly("1g.10gb at slice 1: start must be one of 0, 2, 4, 6");
        assertThat(problems(MigGpuModel.H100_80GB, at("1g.10gb", 1))).isEmpty();
        assertThat(problems(MigGpuModel.H100_80GB, at("1g.5gb", 0))).containsExactly(
                "unknown profile 1g.5gb on H100-80GB (profiles: 1g.10gb, 1g.10gb+me, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb)");
    }

    @Test
    void negativeAndFarStartsAreReportedWithoutInventingOverlaps() {
        assertThat(problems(MigGpuModel.H100_80GB, at("2g.20gb", -2), at("1g.10gb", 0)))
                .containsExactly("2g.20gb at slice -2: start must be one of 0, 2, 4");
        assertThat(problems(MigGpuModel.H100_80GB, at("2g.20gb", -1), at("1g.10gb", 0))).containsExactly(
                "2g.20gb at slice -1: start must be one of 0, 2, 4",
                "2g.20gb at -1 and 1g.10gb at 0 overlap on memory slice 0");
        assertThat(problems(MigGpuModel.H100_80GB, at("1g.10gb", 1000))).containsExactly(
                "1g.10gb at slice 1000: start must be one of 0, 1, 2, 3, 4, 5, 6");
        // instances reaching past the last slice overlap only on slices the GPU has
        assertThat(problems(MigGpuModel.H100_80GB, at("4g.40gb", 6), at("2g.20gb", 7))).containsExactly(
                "4g.40gb at slice 6: start must be 0",
                "2g.20gb at slice 7: start must be one of 0, 2, 4",
                "4g.40gb at 6 and 2g.20gb at 7 overlap on memory slice 7");
    }
}
