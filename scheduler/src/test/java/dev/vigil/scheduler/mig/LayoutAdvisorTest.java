package dev.vigil.scheduler.mig;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** Which layouts the advisor proposes for what waits and what idles, within its limits, and when it proposes none. */
class LayoutAdvisorTest {
    private static final String A100 = "NVIDIA A100-SXM4-80GB";
    private static final String H100 = "NVIDIA H100 80GB HBM3";
    private static final String ONE_G = "1g.10gb";
    private static final String THREE_G = "3g.40gb";
    private static final List<String> SEVEN_1G = Collections.nCopies(7, ONE_G);
    private static final Layout OFF = new Layout("all-disabled", List.of());
    private static final Layout ALL_1G = new Layout("all-1g.10gb", SEVEN_1G);
    private static final Layout ALL_3G = new Layout("all-3g.40gb", List.of(THREE_G, THREE_G));
    private static final Layout BALANCED = new Layout("all-balanced", List.of(THREE_G, "2g.20gb", ONE_G, ONE_G));
    private static final Map<String, List<Layout>> LAYOUTS = Map.of(A100, List.of(OFF, BALANCED, ALL_1G, ALL_3G),
            H100, List.of(OFF, ALL_1G));

    private static LayoutAdvisor advisor(int maxChanging, int minIdle) {
        return new LayoutAdvisor(LAYOUTS, new LayoutAdvisor.Settings(maxChanging, minIdle));
    }

    private static LayoutAdvisor advisor() {
        return advisor(100, 0);
    }

    private static GpuState whole(String node, int gpu, boolean idle) {
        return new GpuState(node, gpu, A100, "all-disabled", List.of(), idle, true);
    }

    private static GpuState sliced(String node, int gpu, boolean idle) {
        return new GpuState(node, gpu, A100, "all-1g.10gb", SEVEN_1G, idle, true);
    }

    private static List<GpuState> wholeNode(String node, int idle, int busy) {
        List<GpuState> gpus = new ArrayList<>();
        for (int i = 0; i < idle + busy; i++) {
            gpus.add(whole(node, i, i >= busy));
        }
        return gpus;
    }

    private static Waiting slices(String job, int units, long minutes) {
        return new Waiting(job, ONE_G, units, List.of(), Duration.ofMinutes(minutes));
    }

    private static Waiting gang(String job, int nodes, int perNode, long minutes) {
        return new Waiting(job, null, nodes * perNode, List.of(), Duration.ofMinutes(minutes), perNode, true);
    }

    private static List<GpuState> concat(List<GpuState> a, List<GpuState> b) {
        List<GpuState> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void nothingWaitingProposesNothing() {
        assertThat(advisor().propose(wholeNode("node-1", 8, 0), List.of())).isEmpty();
    }

    @Test
    void sliceWorkWaitingTurnsIdleWholeGpusIntoTheLayoutOfferingTheProfileMost() {
        List<GpuState> gpus = wholeNode("node-3", 2, 4);
        List<Waiting> waiting = List.of(slices("a", 5, 14), slices("b", 5, 3), slices("c", 2, 1),
                slices("d", 8, 2));

        List<Proposal> proposals = advisor().propose(gpus, waiting);

        assertThat(proposals).containsExactly(new Proposal("node-3", List.of(4, 5), "all-disabled", "all-1g.10gb",
                "4 jobs wait for 20×1g.10gb (oldest 14m), 0 such slices free; GPUs 4-5 of node-3 idle whole; "
                        + "all-1g.10gb gives 7×1g.10gb each", 14));
    }

    @Test
    void aProfileGoesToTheLayoutWithMostOfItNotTheFirstThatHasIt() {
        List<Proposal> proposals = advisor().propose(wholeNode("node-1", 1, 0),
                List.of(new Waiting("s", THREE_G, 2, List.of(), Duration.ofSeconds(40))));

        assertThat(proposals).singleElement().satisfies(p -> {
            assertThat(p.toConfig()).isEqualTo("all-3g.40gb");
            assertThat(p.serves()).isEqualTo(2);
            assertThat(p.why()).isEqualTo("1 job waits for 2×3g.40gb (oldest 40s), 0 such slices free; GPU 0 of "
                    + "node-1 idle whole; all-3g.40gb gives 2×3g.40gb each");
        });
    }

    @Test
    void layoutsOfferingAProfileEquallyOftenGoByConfigName() {
        Layout other = new Layout("a-other-1g", SEVEN_1G);
        Layout fewer = new Layout("a-0-fewer", List.of(ONE_G));
        LayoutAdvisor advisor = new LayoutAdvisor(Map.of(A100, List.of(OFF, ALL_1G, fewer, other)),
                new LayoutAdvisor.Settings(8, 0));

        assertThat(advisor.propose(wholeNode("n", 1, 0), List.of(slices("s", 1, 1))))
                .extracting(Proposal::toConfig).containsExactly("a-other-1g");
    }

    @Test
    void freeSlicesAreUsedBeforeAnyChange() {
        List<GpuState> gpus = concat(List.of(sliced("node-1", 0, true)), wholeNode("node-2", 4, 0));

        assertThat(advisor().propose(gpus, List.of(slices("s", 7, 5)))).isEmpty();
        assertThat(advisor().propose(gpus, List.of(slices("s", 8, 5)))).singleElement()
                .satisfies(p -> {
                    assertThat(p.serves()).isEqualTo(1);
                    assertThat(p.why()).contains("7 such slices free");
                });
    }

    @Test
    void aPartlyUsedGpusFreeSlicesCountAndItIsNeverChanged() {
        GpuState partly = new GpuState("node-1", 0, A100, "all-1g.10gb", SEVEN_1G, false, true,
                List.of(ONE_G, ONE_G, ONE_G));
        List<GpuState> gpus = concat(List.of(partly), wholeNode("node-2", 2, 0));

        List<Proposal> proposals = advisor().propose(gpus, List.of(slices("s", 5, 5)));

        assertThat(proposals).singleElement().satisfies(p -> {
            assertThat(p.node()).isEqualTo("node-2");
            assertThat(p.gpus()).containsExactly(0);
            assertThat(p.serves()).isEqualTo(2);
        });
    }

    @Test
    void theShortConstructorCountsAllSlicesOfAnIdleGpuAndNoneOfABusyOne() {
        assertThat(sliced("n", 0, true).freeSlices()).isEqualTo(SEVEN_1G);
        assertThat(sliced("n", 0, false).freeSlices()).isEmpty();
    }

    @Test
    void slicesOfAnUnchangeableGpuAreNotFree() {
        GpuState broken = new GpuState("node-1", 0, A100, "all-1g.10gb", SEVEN_1G, true, false);
        List<GpuState> gpus = concat(List.of(broken), wholeNode("node-2", 1, 0));

        assertThat(advisor().propose(gpus, List.of(slices("s", 7, 5)))).singleElement()
                .satisfies(p -> assertThat(p.why()).contains("0 such slices free"));
    }

    @Test
    void slicesLeftOnAGpuChangedForOneJobServeTheNext() {
        List<Proposal> proposals = advisor().propose(wholeNode("node-1", 2, 0),
                List.of(slices("old", 4, 10), slices("new", 3, 1)));

        assertThat(proposals).singleElement().satisfies(p -> {
            assertThat(p.gpus()).containsExactly(0);
            assertThat(p.serves()).isEqualTo(7);
            assertThat(p.why()).startsWith("2 jobs wait for 7×1g.10gb (oldest 10m)");
        });
    }

    @Test
    void aProposalNamesEveryProfileItServes() {
        List<Proposal> proposals = advisor().propose(wholeNode("node-1", 1, 0),
                List.of(new Waiting("big", THREE_G, 1, List.of(), Duration.ofMinutes(9)),
                        new Waiting("small", "2g.20gb", 1, List.of(), Duration.ofMinutes(2))));

        assertThat(proposals).singleElement().satisfies(p -> {
            assertThat(p.toConfig()).isEqualTo("all-3g.40gb");
            assertThat(p.serves()).isEqualTo(1);
        });
        List<Proposal> balanced = advisor().propose(wholeNode("node-1", 1, 0),
                List.of(new Waiting("small", "2g.20gb", 1, List.of(), Duration.ofMinutes(9)),
                        new Waiting("big", THREE_G, 1, List.of(), Duration.ofMinutes(2))));
        assertThat(balanced).singleElement().satisfies(p -> {
            assertThat(p.toConfig()).isEqualTo("all-balanced");
            assertThat(p.serves()).isEqualTo(2);
            assertThat(p.why()).isEqualTo("1 job waits for 1×2g.20gb (oldest 9m), 0 such slices free; 1 job waits "
                    + "for 1×3g.40gb (oldest 2m), 0 such slices free; GPU 0 of node-1 idle whole; all-balanced gives "
                    + "1×3g.40gb+1×2g.20gb+2×1g.10gb each");
        });
    }

    @Test
    void wholeGpuWorkWaitingTurnsIdleMigGpusOff() {
        List<GpuState> gpus = new ArrayList<>(wholeNode("node-1", 6, 0));
        gpus.add(sliced("node-1", 6, true));
        gpus.add(sliced("node-1", 7, true));

        List<Proposal> proposals = advisor().propose(gpus, List.of(gang("train", 1, 8, 125)));

        assertThat(proposals).containsExactly(new Proposal("node-1", List.of(6, 7), "all-1g.10gb", "all-disabled",
                "1 job waits for 8 whole GPUs (8 per node) (oldest 2h05m); 6 whole GPUs free; GPUs 6-7 of node-1 idle "
                        + "in MIG (all-1g.10gb)", 8));
    }

    @Test
    void noProposalWhenTheFreedGpusWouldNotLetTheJobStart() {
        List<GpuState> gpus = new ArrayList<>(wholeNode("node-1", 2, 4));
        gpus.add(sliced("node-1", 6, true));
        gpus.add(sliced("node-1", 7, true));

        assertThat(advisor().propose(gpus, List.of(gang("train", 1, 8, 60)))).isEmpty();
    }

    @Test
    void aGangFittingTheFreeGpusChangesNothingAndKeepsThemFromYoungerWork() {
        List<GpuState> gpus = new ArrayList<>(wholeNode("node-1", 8, 0));
        gpus.add(sliced("node-2", 0, true));

        assertThat(advisor().propose(gpus, List.of(gang("train", 1, 8, 60),
                new Waiting("more", null, 1, List.of(), Duration.ofMinutes(1))))).singleElement()
                .satisfies(p -> {
                    assertThat(p.node()).isEqualTo("node-2");
                    assertThat(p.serves()).isEqualTo(1);
                });
    }

    @Test
    void aGangTakesTheNodesNeedingFewestChanges() {
        List<GpuState> gpus = new ArrayList<>();
        for (String node : List.of("a", "b", "c")) {
            int wholeCount = node.equals("b") ? 3 : node.equals("a") ? 1 : 2;
            for (int i = 0; i < 4; i++) {
                gpus.add(i < wholeCount ? whole(node, i, true) : sliced(node, i, true));
            }
        }

        List<Proposal> proposals = advisor().propose(gpus, List.of(gang("train", 2, 4, 30)));

        assertThat(proposals).extracting(Proposal::node, Proposal::gpus, Proposal::serves)
                .containsExactly(tuple("b", List.of(3), 6),
                        tuple("c", List.of(2, 3), 2));
    }

    @Test
    void aGangStaysOnOneModelAndTakesTheModelNeedingFewestChanges() {
        List<GpuState> gpus = new ArrayList<>();
        gpus.add(whole("a-1", 0, true));
        gpus.add(sliced("a-1", 1, true));
        gpus.add(whole("a-2", 0, true));
        gpus.add(sliced("a-2", 1, true));
        gpus.add(new GpuState("h-1", 0, H100, "all-1g.10gb", SEVEN_1G, true, true));
        gpus.add(new GpuState("h-1", 1, H100, "all-disabled", List.of(), true, true));
        gpus.add(new GpuState("h-2", 0, H100, "all-disabled", List.of(), true, true));
        gpus.add(new GpuState("h-2", 1, H100, "all-disabled", List.of(), true, true));

        List<Proposal> proposals = advisor().propose(gpus, List.of(gang("train", 2, 2, 30)));

        assertThat(proposals).singleElement().satisfies(p -> {
            assertThat(p.node()).isEqualTo("h-1");
            assertThat(p.gpus()).containsExactly(0);
            assertThat(p.serves()).isEqualTo(4);
        });
    }

    @Test
    void aGangNeedsNodesOfItsOwn() {
        List<GpuState> gpus = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            gpus.add(sliced("big", i, true));
        }

        assertThat(advisor().propose(gpus, List.of(gang("train", 2, 4, 30)))).isEmpty();
        assertThat(advisor().propose(gpus, List.of(new Waiting("svc", null, 8, List.of(), Duration.ofMinutes(1), 4,
                false)))).singleElement().satisfies(p -> assertThat(p.gpus()).hasSize(8));
    }

    @Test
    void replicasStartOnTheirOwnFromFreeGpusFirstThenChangedOnes() {
        List<GpuState> gpus = new ArrayList<>();
        gpus.add(whole("a", 0, true));
        gpus.add(sliced("a", 1, true));
        gpus.add(sliced("b", 0, true));
        gpus.add(sliced("b", 1, true));
        gpus.add(sliced("b", 2, true));

        List<Proposal> proposals = advisor().propose(gpus, List.of(new Waiting("svc", null, 6, List.of(),
                Duration.ofMinutes(3), 2, false)));

        assertThat(proposals).extracting(Proposal::node, Proposal::gpus, Proposal::serves)
                .containsExactly(tuple("a", List.of(1), 2),
                        tuple("b", List.of(0, 1), 2));
        assertThat(proposals.get(1).why()).isEqualTo("1 job waits for 6 whole GPUs (2 per node) (oldest 3m); 1 whole "
                + "GPU free; GPUs 0-1 of b idle in MIG (all-1g.10gb)");
    }

    @Test
    void replicasTakeWholeGpusFreedForAnOlderJob() {
        List<GpuState> gpus = new ArrayList<>();
        gpus.add(sliced("a", 0, true));
        gpus.add(sliced("a", 1, true));

        List<Proposal> proposals = advisor().propose(gpus, List.of(
                new Waiting("two", null, 2, List.of(), Duration.ofMinutes(9), 2, false),
                new Waiting("one", null, 1, List.of(), Duration.ofMinutes(1))));

        assertThat(proposals).singleElement().satisfies(p -> assertThat(p.serves()).isEqualTo(2));
        List<Proposal> oneLeft = advisor().propose(gpus, List.of(
                new Waiting("first", null, 1, List.of(), Duration.ofMinutes(9)),
                new Waiting("second", null, 1, List.of(), Duration.ofMinutes(1))));
        assertThat(oneLeft).singleElement().satisfies(p -> {
            assertThat(p.gpus()).containsExactly(0, 1);
            assertThat(p.serves()).isEqualTo(2);
        });
    }

    @Test
    void onlyIdleChangeableGpusChange() {
        List<GpuState> gpus = List.of(whole("n", 0, false),
                new GpuState("n", 1, A100, "all-disabled", List.of(), true, false),
                sliced("m", 0, false),
                new GpuState("m", 1, A100, "all-1g.10gb", SEVEN_1G, true, false));

        assertThat(advisor().propose(gpus, List.of(slices("s", 1, 1)))).isEmpty();
        assertThat(advisor().propose(gpus, List.of(gang("g", 1, 1, 1)))).isEmpty();
    }

    @Test
    void aModelWithoutLayoutsNeverChanges() {
        List<GpuState> gpus = List.of(new GpuState("v", 0, "Tesla V100", null, List.of(), true, true),
                new GpuState("v", 1, "Tesla V100", null, SEVEN_1G, true, true));

        assertThat(advisor().propose(gpus, List.of(slices("s", 8, 1)))).isEmpty();
        assertThat(advisor().propose(gpus, List.of(gang("g", 1, 2, 1)))).isEmpty();
        assertThat(advisor().propose(gpus, List.of(new Waiting("r", null, 2, List.of(), Duration.ZERO)))).isEmpty();
    }

    @Test
    void aModelWithoutTheProfileOrWithoutMigOffIsNotChanged() {
        LayoutAdvisor advisor = new LayoutAdvisor(Map.of(A100, List.of(ALL_1G)), new LayoutAdvisor.Settings(8, 0));
        List<GpuState> gpus = List.of(whole("n", 0, true), sliced("n", 1, true));

        assertThat(advisor.propose(gpus, List.of(new Waiting("s", THREE_G, 1, List.of(), Duration.ZERO)))).isEmpty();
        assertThat(advisor.propose(gpus, List.of(gang("g", 1, 2, 1)))).isEmpty();
    }

    @Test
    void onlyGpusOfAllowedModelsChange() {
        List<GpuState> gpus = List.of(whole("a", 0, true),
                new GpuState("h", 0, H100, "all-disabled", List.of(), true, true),
                new GpuState("h", 1, H100, "all-1g.10gb", SEVEN_1G, false, true));

        assertThat(advisor().propose(gpus, List.of(new Waiting("s", ONE_G, 1, List.of("h100"), Duration.ZERO))))
                .extracting(Proposal::node, Proposal::gpus)
                .containsExactly(tuple("h", List.of(0)));
        assertThat(advisor().propose(gpus, List.of(new Waiting("s", ONE_G, 8, List.of("a100"), Duration.ZERO))))
                .extracting(Proposal::node).containsExactly("a");
        assertThat(advisor().propose(gpus, List.of(new Waiting("w", null, 2, List.of("A100"), Duration.ZERO))))
                .isEmpty();
    }

    @Test
    void atMostMaxGpusChangeCountingThoseChangingAlready() {
        List<GpuState> gpus = wholeNode("n", 8, 0);
        List<Waiting> waiting = List.of(slices("s", 50, 1));

        assertThat(advisor(3, 0).propose(gpus, waiting)).singleElement()
                .satisfies(p -> {
                    assertThat(p.gpus()).containsExactly(0, 1, 2);
                    assertThat(p.serves()).isEqualTo(21);
                });
        assertThat(advisor(3, 0).propose(gpus, waiting, 1)).singleElement()
                .satisfies(p -> assertThat(p.gpus()).containsExactly(0, 1));
        assertThat(advisor(3, 0).propose(gpus, waiting, 3)).isEmpty();
        assertThat(advisor(3, 0).propose(gpus, waiting, 5)).isEmpty();
    }

    @Test
    void theChangeLimitHoldsForWholeGpuWorkToo() {
        List<GpuState> gpus = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            gpus.add(sliced("n", i, true));
        }

        assertThat(advisor(2, 0).propose(gpus, List.of(gang("g", 1, 4, 1)))).isEmpty();
        assertThat(advisor(4, 0).propose(gpus, List.of(gang("g", 1, 4, 1)))).hasSize(1);
        assertThat(advisor(4, 0).propose(gpus, List.of(gang("g", 1, 4, 1)), 1)).isEmpty();
        assertThat(advisor(3, 0).propose(gpus, List.of(new Waiting("r", null, 4, List.of(), Duration.ZERO, 2,
                false)))).singleElement().satisfies(p -> assertThat(p.gpus()).containsExactly(0, 1));
    }

    @Test
    void minIdleKeepsIdleWholeGpusForABurst() {
        List<GpuState> gpus = wholeNode("n", 4, 0);

        assertThat(advisor(8, 2).propose(gpus, List.of(slices("s", 50, 1)))).singleElement()
                .satisfies(p -> assertThat(p.gpus()).containsExactly(0, 1));
        assertThat(advisor(8, 4).propose(gpus, List.of(slices("s", 50, 1)))).isEmpty();
        assertThat(advisor(8, 3).propose(gpus, List.of(slices("s", 50, 1)))).singleElement()
                .satisfies(p -> assertThat(p.gpus()).containsExactly(0));
    }

    @Test
    void minIdleKeepsIdleMigGpusForABurst() {
        List<GpuState> gpus = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            gpus.add(sliced("n", i, true));
        }
        Waiting replicas = new Waiting("r", null, 4, List.of(), Duration.ZERO);

        assertThat(advisor(8, 1).propose(gpus, List.of(replicas))).singleElement()
                .satisfies(p -> assertThat(p.gpus()).containsExactly(0, 1, 2));
        assertThat(advisor(8, 2).propose(gpus, List.of(gang("g", 1, 2, 1)))).hasSize(1);
        assertThat(advisor(8, 3).propose(gpus, List.of(gang("g", 1, 2, 1)))).isEmpty();
    }

    @Test
    void aGangThatFitsFreeGpusIsPlannedEvenBelowMinIdle() {
        List<GpuState> gpus = concat(wholeNode("a", 2, 0), List.of(sliced("b", 0, true)));

        assertThat(advisor(8, 5).propose(gpus, List.of(gang("fits", 1, 2, 9),
                new Waiting("later", null, 1, List.of(), Duration.ZERO)))).isEmpty();
    }

    @Test
    void gpusOfTheNodeWithMostIdleGoFirstAndTogether() {
        List<GpuState> gpus = concat(concat(wholeNode("a", 1, 3), wholeNode("b", 3, 1)), wholeNode("c", 3, 1));

        List<Proposal> proposals = advisor().propose(gpus, List.of(slices("s", 20, 1)));

        assertThat(proposals).extracting(Proposal::node, Proposal::gpus)
                .containsExactly(tuple("b", List.of(1, 2, 3)));
        List<Proposal> more = advisor().propose(gpus, List.of(slices("s", 35, 1)));
        assertThat(more).extracting(Proposal::node, Proposal::gpus)
                .containsExactly(tuple("b", List.of(1, 2, 3)),
                        tuple("c", List.of(1, 2)));
    }

    @Test
    void replicasGoToTheNodeWithMostIdleFirst() {
        List<GpuState> gpus = List.of(sliced("a", 0, true), sliced("b", 0, true), sliced("b", 1, true));

        assertThat(advisor().propose(gpus, List.of(new Waiting("r", null, 2, List.of(), Duration.ZERO, 2, false))))
                .extracting(Proposal::node).containsExactly("b");
        assertThat(advisor().propose(gpus, List.of(new Waiting("r", null, 1, List.of(), Duration.ZERO))))
                .extracting(Proposal::node, Proposal::gpus)
                .containsExactly(tuple("b", List.of(0)));
    }

    @Test
    void gpusInDifferentConfigsAreSeparateProposals() {
        List<GpuState> gpus = List.of(sliced("n", 0, true),
                new GpuState("n", 1, A100, "all-3g.40gb", List.of(THREE_G, THREE_G), true, true),
                new GpuState("n", 2, A100, null, List.of(THREE_G), true, true));

        List<Proposal> proposals = advisor().propose(gpus, List.of(new Waiting("r", null, 3, List.of(),
                Duration.ofHours(30))));

        assertThat(proposals).extracting(Proposal::gpus, Proposal::fromConfig, Proposal::serves).containsExactly(
                tuple(List.of(0), "all-1g.10gb", 1),
                tuple(List.of(1), "all-3g.40gb", 1),
                tuple(List.of(2), null, 1));
        assertThat(proposals.get(2).why()).isEqualTo("1 job waits for 3 whole GPUs (oldest 1d06h); 0 whole GPUs "
                + "free; GPU 2 of n idle in MIG");
    }

    @Test
    void aGroupsUnitsAddUpOverTheProposalsThatMakeIt() {
        List<GpuState> gpus = List.of(sliced("n", 0, true),
                new GpuState("n", 1, A100, "all-3g.40gb", List.of(THREE_G, THREE_G), true, true));

        List<Proposal> proposals = advisor().propose(gpus, List.of(gang("g", 1, 2, 1)));

        assertThat(proposals).extracting(Proposal::serves).containsExactly(1, 1);
    }

    @Test
    void noGpuChangesTwiceInOneCall() {
        List<GpuState> gpus = List.of(whole("n", 0, true), sliced("n", 1, true), whole("m", 0, true),
                sliced("m", 1, true));
        List<Waiting> waiting = List.of(gang("g", 1, 2, 9), slices("s", 7, 8), slices("t", 7, 7));

        List<Proposal> proposals = advisor().propose(gpus, waiting);

        Set<String> seen = new HashSet<>();
        for (Proposal proposal : proposals) {
            for (int gpu : proposal.gpus()) {
                assertThat(seen.add(proposal.node() + "/" + gpu)).as("GPU %s/%d proposed twice", proposal.node(), gpu)
                        .isTrue();
            }
        }
        assertThat(proposals).extracting(Proposal::node, Proposal::gpus, Proposal::toConfig).containsExactly(
                tuple("m", List.of(1), "all-disabled"),
                tuple("n", List.of(0), "all-1g.10gb"));
    }

    @Test
    void theSameInputInAnyOrderGivesTheSameProposals() {
        List<GpuState> gpus = new ArrayList<>();
        for (String node : List.of("n1", "n2", "n3", "n4")) {
            for (int i = 0; i < 4; i++) {
                gpus.add(i % 2 == 0 ? whole(node, i, i != 0 || node.equals("n3")) : sliced(node, i, true));
            }
        }
        List<Waiting> waiting = new ArrayList<>(List.of(slices("s1", 9, 5), slices("s2", 9, 5), gang("g", 2, 2, 5),
                new Waiting("r", null, 3, List.of(), Duration.ofMinutes(5))));
        List<Proposal> expected = advisor(6, 1).propose(gpus, waiting);
        assertThat(expected).isNotEmpty();

        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(gpus, random);
            Collections.shuffle(waiting, random);
            assertThat(advisor(6, 1).propose(gpus, waiting)).isEqualTo(expected);
        }
    }

    @Test
    void olderJobsArePlannedFirst() {
        List<GpuState> gpus = wholeNode("n", 1, 0);
        List<Proposal> proposals = advisor(1, 0).propose(gpus, List.of(
                new Waiting("young", THREE_G, 2, List.of(), Duration.ofMinutes(1)), slices("old", 7, 2)));

        assertThat(proposals).extracting(Proposal::toConfig).containsExactly("all-1g.10gb");
        List<Proposal> tie = advisor(1, 0).propose(gpus, List.of(
                new Waiting("b", THREE_G, 2, List.of(), Duration.ofMinutes(2)), slices("a", 7, 2)));
        assertThat(tie).extracting(Proposal::toConfig).containsExactly("all-1g.10gb");
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> new Waiting("j", null, 3, List.of(), Duration.ZERO, 2, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of perNode");
        assertThatThrownBy(() -> new Waiting("j", null, 0, List.of(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Waiting("j", null, 2, List.of(), Duration.ZERO, 0, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Waiting("j", ONE_G, 2, List.of(), Duration.ZERO, 1, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never a gang");
        assertThatThrownBy(() -> new Waiting("j", ONE_G, 2, List.of(), Duration.ZERO, 2, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LayoutAdvisor.Settings(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LayoutAdvisor.Settings(0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new LayoutAdvisor.Settings(0, 0).maxGpusChangingAtOnce()).isZero();
    }

    @Test
    void ageAndRangesReadForPeople() {
        assertThat(Why.age(Duration.ofSeconds(59))).isEqualTo("59s");
        assertThat(Why.age(Duration.ofSeconds(60))).isEqualTo("1m");
        assertThat(Why.age(Duration.ofSeconds(3599))).isEqualTo("59m");
        assertThat(Why.age(Duration.ofSeconds(3600))).isEqualTo("1h00m");
        assertThat(Why.age(Duration.ofSeconds(86_399))).isEqualTo("23h59m");
        assertThat(Why.age(Duration.ofSeconds(86_400))).isEqualTo("1d00h");
        assertThat(Why.ranges(List.of(0, 1, 2, 4, 6, 7))).isEqualTo("0-2, 4, 6-7");
        assertThat(Why.ranges(List.of(3))).isEqualTo("3");
    }

    @Test
    void layoutsCountTheirInstances() {
        assertThat(BALANCED.count(ONE_G)).isEqualTo(2);
        assertThat(BALANCED.count("7g.80gb")).isZero();
        assertThat(OFF.whole()).isTrue();
        assertThat(BALANCED.whole()).isFalse();
    }

    @Test
    void idleMigGpusAloneCountTowardsMinIdle() {
        List<GpuState> gpus = List.of(whole("n", 0, true), whole("n", 1, true), sliced("n", 2, true),
                sliced("n", 3, true));

        assertThat(advisor(8, 1).propose(gpus, List.of(gang("g", 1, 4, 1)))).isEmpty();
        assertThat(advisor(8, 0).propose(gpus, List.of(gang("g", 1, 4, 1)))).hasSize(1);
    }

    @Test
    void minIdleCountsWhatEarlierGangsChanged() {
        List<GpuState> gpus = List.of(sliced("a", 0, true), sliced("a", 1, true), sliced("b", 0, true),
                sliced("b", 1, true));

        assertThat(advisor(8, 2).propose(gpus, List.of(gang("g1", 1, 2, 2), gang("g2", 1, 2, 1))))
                .extracting(Proposal::node).containsExactly("a");
    }

    @Test
    void freeGpusPlannedForOneReplicaJobAreNotFreeForTheNext() {
        List<GpuState> gpus = List.of(whole("a", 0, true), whole("a", 1, true), sliced("b", 0, true),
                sliced("b", 1, true));

        assertThat(advisor().propose(gpus, List.of(new Waiting("r", null, 2, List.of(), Duration.ZERO, 2, false))))
                .isEmpty();
        assertThat(advisor().propose(gpus, List.of(new Waiting("r", null, 2, List.of(), Duration.ofMinutes(2), 2,
                false), new Waiting("s", null, 1, List.of(), Duration.ofMinutes(1))))).singleElement()
                .satisfies(p -> {
                    assertThat(p.node()).isEqualTo("b");
                    assertThat(p.gpus()).containsExactly(0);
                });
    }

    @Test
    void aFreeGpuJoinsOnlyTheFirstGroupItCompletes() {
        List<GpuState> gpus = List.of(whole("a", 0, true), sliced("a", 1, true), sliced("a", 2, true),
                sliced("a", 3, true));

        assertThat(advisor().propose(gpus, List.of(new Waiting("r", null, 4, List.of(), Duration.ZERO, 2, false))))
                .singleElement().satisfies(p -> {
                    assertThat(p.gpus()).containsExactly(1, 2, 3);
                    assertThat(p.serves()).isEqualTo(4);
                });
    }

    @Test
    void aGangNeverChangesGpusOfAModelItDoesNotAllow() {
        List<GpuState> gpus = List.of(sliced("a", 0, true), sliced("a", 1, true));

        assertThat(advisor().propose(gpus, List.of(new Waiting("g", null, 2, List.of("h100"), Duration.ZERO, 2,
                true)))).isEmpty();
    }

    @Test
    void aGangTakesTheNodeWithMostIdleAmongThoseNeedingEqualChanges() {
        List<GpuState> gpus = List.of(whole("a", 0, true), sliced("a", 1, true), whole("b", 0, true),
                sliced("b", 1, true), sliced("b", 2, true), sliced("b", 3, true));

        assertThat(advisor().propose(gpus, List.of(gang("g", 1, 2, 1)))).extracting(Proposal::node)
                .containsExactly("b");
    }

    @Test
    void modelsNeedingEqualChangesGoByName() {
        List<GpuState> gpus = List.of(whole("a", 0, true), sliced("a", 1, true),
                new GpuState("h", 0, H100, "all-disabled", List.of(), true, true),
                new GpuState("h", 1, H100, "all-1g.10gb", SEVEN_1G, true, true));

        assertThat(advisor().propose(gpus, List.of(gang("g", 1, 2, 1)))).extracting(Proposal::node)
                .containsExactly("a");
    }

    @Test
    void aProposalNamesOnlyTheProfilesItServes() {
        List<Proposal> proposals = advisor(1, 0).propose(wholeNode("n", 2, 0), List.of(slices("s", 1, 5),
                new Waiting("t", THREE_G, 1, List.of(), Duration.ofMinutes(1))));

        assertThat(proposals).singleElement().satisfies(p -> assertThat(p.why()).isEqualTo("1 job waits for "
                + "1×1g.10gb (oldest 5m), 0 such slices free; GPU 0 of n idle whole; all-1g.10gb gives 7×1g.10gb each"));
    }

    @Test
    void aWholeGpuProposalCountsOnlyWholeGpuWorkOnItsModel() {
        List<GpuState> gpus = List.of(sliced("n", 0, true), sliced("n", 1, false));

        List<Proposal> proposals = advisor().propose(gpus, List.of(new Waiting("w", null, 1, List.of(),
                Duration.ofMinutes(3)), slices("s", 9, 1), new Waiting("h", null, 4, List.of("h100"), Duration.ZERO)));

        assertThat(proposals).singleElement().satisfies(p -> assertThat(p.why()).startsWith("1 job waits for 1 whole "
                + "GPU (oldest 3m); 0 whole GPUs free; GPU 0 of n"));
    }

    @Test
    void aReplicaJobTakesOnlyTheFreeGpusItNeeds() {
        List<GpuState> gpus = List.of(whole("a", 0, true), whole("a", 1, true), sliced("b", 0, true));

        assertThat(advisor().propose(gpus, List.of(new Waiting("r", null, 1, List.of(), Duration.ofMinutes(2)),
                new Waiting("s", null, 1, List.of(), Duration.ofMinutes(1))))).isEmpty();
    }

    @Test
    void aGpuChangedIntoSlicesIsNoWholeGpuForLaterWork() {
        List<Proposal> proposals = advisor().propose(wholeNode("n", 1, 0), List.of(slices("s", 3, 5),
                new Waiting("w", null, 1, List.of(), Duration.ofMinutes(1))));

        assertThat(proposals).singleElement().satisfies(p -> {
            assertThat(p.toConfig()).isEqualTo("all-1g.10gb");
            assertThat(p.serves()).isEqualTo(3);
        });
    }
}
