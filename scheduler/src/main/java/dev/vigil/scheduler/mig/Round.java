package dev.vigil.scheduler.mig;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * One {@link LayoutAdvisor#propose} call: walks the waiting jobs oldest first and plans, against
 * a copy of the GPUs, where each would start: free capacity first, then GPUs converted for it
 * within the limits. What one job is planned onto no later job takes, so the proposals serve
 * distinct work and no GPU changes twice.
 */
final class Round {
    /** A GPU as this call plans it. */
    private static final class Gpu {
        final GpuState state;
        /** Its instances no planned work holds yet (of the new layout, once converted). */
        final List<String> free;
        /** Planned work takes it (a whole GPU) or some of its slices: it may not change. */
        boolean claimed;
        /** The layout this call puts it in, or null. */
        Layout target;
        int serves;
        final Set<Waiting> jobs = new LinkedHashSet<>();

        Gpu(GpuState state) {
            this.state = state;
            this.free = new ArrayList<>(state.changeable() ? state.freeSlices() : List.of());
        }

        boolean allows(Waiting job) {
            return job.allows(state.model());
        }

        /** Idle and changeable, not yet planned on or changed: it may change now. */
        boolean convertible() {
            return state.idle() && state.changeable() && !claimed && target == null;
        }

        /** Free for whole-GPU work: idle whole now, or made whole by this call, and not planned on. */
        boolean freeWhole() {
            return !claimed && (target == null ? state.whole() && state.idle() && state.changeable() : target.whole());
        }
    }

    private static final Comparator<Gpu> BY_NODE_AND_INDEX = Comparator.comparing((Gpu g) -> g.state.node())
            .thenComparingInt(g -> g.state.gpu());

    private final LayoutAdvisor advisor;
    private final List<Gpu> gpus = new ArrayList<>();
    private final int idleWhole;
    private final int idleSliced;
    /** Idle changeable GPUs of each node when the call began: nodes with most go first, all through the call. */
    private final Map<String, Integer> idleOnNode = new TreeMap<>();
    private int budget;
    private int toSliced;
    private int toWhole;

    Round(LayoutAdvisor advisor, List<GpuState> states, int changingNow) {
        this.advisor = advisor;
        states.forEach(state -> gpus.add(new Gpu(state)));
        gpus.sort(BY_NODE_AND_INDEX);
        this.idleWhole = (int) gpus.stream().filter(Gpu::freeWhole).count();
        this.idleSliced = (int) gpus.stream().filter(g -> !g.state.whole() && g.convertible()).count();
        gpus.stream().filter(Gpu::convertible).forEach(g -> idleOnNode.merge(g.state.node(), 1, Integer::sum));
        this.budget = Math.max(0, advisor.settings().maxGpusChangingAtOnce() - changingNow);
    }

    List<Proposal> plan(List<Waiting> waiting) {
        List<Waiting> order = LayoutAdvisor.oldestFirst(waiting);
        Why why = new Why(gpus.stream().map(g -> g.state).toList(), order);
        for (Waiting job : order) {
            if (job.migProfile() != null) {
                planSlices(job);
            } else if (job.gang()) {
                planGang(job);
            } else {
                planGroups(job);
            }
        }
        Map<List<Object>, List<Gpu>> changes = new LinkedHashMap<>();
        for (Gpu gpu : gpus) {
            if (gpu.target != null) {
                changes.computeIfAbsent(List.of(gpu.state.node(), String.valueOf(gpu.state.config()),
                        gpu.target.config()), k -> new ArrayList<>()).add(gpu);
            }
        }
        List<Proposal> proposals = new ArrayList<>();
        for (List<Gpu> change : changes.values()) {
            GpuState first = change.get(0).state;
            List<Integer> indices = change.stream().map(g -> g.state.gpu()).toList();
            Set<Waiting> served = new TreeSet<>(Comparator.comparing(Waiting::waited).reversed()
                    .thenComparing(Waiting::job));
            change.forEach(g -> served.addAll(g.jobs));
            proposals.add(new Proposal(first.node(), indices, first.config(), change.get(0).target.config(),
                    why.of(first, indices, change.get(0).target, List.copyOf(served)),
                    change.stream().mapToInt(g -> g.serves).sum()));
        }
        return proposals;
    }

    /** Free slices of the profile first, then idle whole GPUs turned into the layout offering it most. */
    private void planSlices(Waiting job) {
        String profile = job.migProfile();
        int need = job.units();
        for (Gpu gpu : gpus) {
            if (gpu.target == null && gpu.allows(job)) {
                int taken = take(gpu, profile, need);
                gpu.claimed |= taken > 0;
                need -= taken;
            }
        }
        for (Gpu gpu : gpus) {
            if (gpu.target != null && gpu.allows(job)) {
                need -= serve(gpu, job, take(gpu, profile, need));
            }
        }
        List<Gpu> candidates = nodesWithMostFirst(gpus.stream()
                .filter(g -> g.state.whole() && g.convertible() && g.allows(job)
                        && advisor.offering(g.state.model(), profile).isPresent())
                .toList());
        for (Gpu gpu : candidates) {
            if (need == 0 || budget == 0 || idleWhole - toSliced - 1 < advisor.settings().minIdle()) {
                break;
            }
            convert(gpu, advisor.offering(gpu.state.model(), profile).orElseThrow());
            toSliced++;
            need -= serve(gpu, job, take(gpu, profile, need));
        }
    }

    /** Groups that start on their own (replicas): free whole GPUs first, then idle MIG GPUs made whole. */
    private void planGroups(Waiting job) {
        int perNode = job.perNode();
        int groups = job.groups();
        Map<String, List<Gpu>> free = byNode(g -> g.freeWhole() && g.allows(job));
        for (List<Gpu> onNode : free.values()) {
            while (groups > 0 && onNode.size() >= perNode) {
                List<Gpu> group = new ArrayList<>(onNode.subList(0, perNode));
                onNode.removeAll(group);
                claim(group, job, perNode);
                groups--;
            }
        }
        Map<String, List<Gpu>> convertible = byNode(g -> !g.state.whole() && g.convertible() && g.allows(job)
                && advisor.whole(g.state.model()).isPresent());
        List<String> nodes = new ArrayList<>(convertible.keySet());
        nodes.sort(mostIdleFirst());
        for (String node : nodes) {
            List<Gpu> onNode = free.getOrDefault(node, new ArrayList<>());
            List<Gpu> mig = convertible.get(node);
            while (groups > 0 && onNode.size() + mig.size() >= perNode) {
                int conversions = perNode - onNode.size();
                if (!mayMakeWhole(conversions)) {
                    break;
                }
                List<Gpu> group = new ArrayList<>(onNode);
                onNode.clear();
                group.addAll(makeWhole(mig, conversions));
                claim(group, job, perNode);
                groups--;
            }
        }
    }

    /** A gang: every group on a node of its own, all of one model, with the fewest conversions; or nothing. */
    private void planGang(Waiting job) {
        int perNode = job.perNode();
        List<List<Gpu>> best = null;
        int bestConversions = Integer.MAX_VALUE;
        Set<String> models = new TreeSet<>();
        gpus.stream().filter(g -> g.allows(job)).forEach(g -> models.add(g.state.model()));
        for (String model : models) {
            Map<String, List<Gpu>> free = byNode(g -> g.state.model().equals(model) && g.freeWhole() && g.allows(job));
            Map<String, List<Gpu>> mig = byNode(g -> g.state.model().equals(model) && !g.state.whole()
                    && g.convertible() && advisor.whole(model).isPresent());
            Set<String> nodeNames = new TreeSet<>(free.keySet());
            nodeNames.addAll(mig.keySet());
            List<String> fitting = new ArrayList<>();
            for (String node : nodeNames) {
                if (free.getOrDefault(node, List.of()).size() + mig.getOrDefault(node, List.of()).size() >= perNode) {
                    fitting.add(node);
                }
            }
            fitting.sort(Comparator.comparingInt((String n) -> Math.max(0, perNode - free.getOrDefault(n, List.of())
                    .size())).thenComparing(mostIdleFirst()));
            if (fitting.size() < job.groups()) {
                continue;
            }
            List<List<Gpu>> plan = new ArrayList<>();
            int conversions = 0;
            for (String node : fitting.subList(0, job.groups())) {
                List<Gpu> onNode = free.getOrDefault(node, List.of());
                List<Gpu> group = new ArrayList<>(onNode.subList(0, Math.min(perNode, onNode.size())));
                int missing = perNode - group.size();
                group.addAll(mig.getOrDefault(node, List.of()).subList(0, missing));
                conversions += missing;
                plan.add(group);
            }
            if (conversions < bestConversions && (conversions == 0 || mayMakeWhole(conversions))) {
                best = plan;
                bestConversions = conversions;
            }
        }
        if (best == null) {
            return;
        }
        List<Gpu> all = new ArrayList<>();
        for (List<Gpu> group : best) {
            for (Gpu gpu : group) {
                if (gpu.target == null && !gpu.state.whole()) {
                    convert(gpu, advisor.whole(gpu.state.model()).orElseThrow());
                    toWhole++;
                }
            }
            all.addAll(group);
        }
        claim(all, job, job.units());
    }

    private boolean mayMakeWhole(int conversions) {
        return conversions <= budget && idleSliced - toWhole - conversions >= advisor.settings().minIdle();
    }

    private List<Gpu> makeWhole(List<Gpu> mig, int count) {
        List<Gpu> made = new ArrayList<>(mig.subList(0, count));
        mig.removeAll(made);
        for (Gpu gpu : made) {
            convert(gpu, advisor.whole(gpu.state.model()).orElseThrow());
            toWhole++;
        }
        return made;
    }

    private void convert(Gpu gpu, Layout layout) {
        gpu.target = layout;
        gpu.free.clear();
        gpu.free.addAll(layout.slices());
        budget--;
    }

    /**
     * Plans {@code units} of {@code job} on whole GPUs {@code group}; the units go to the changed GPUs
     * among them, one each and the rest to the first, so that the proposals' counts add up.
     */
    private static void claim(List<Gpu> group, Waiting job, int units) {
        List<Gpu> changed = new ArrayList<>();
        for (Gpu gpu : group) {
            gpu.claimed = true;
            if (gpu.target != null) {
                changed.add(gpu);
            }
        }
        for (int i = 0; i < changed.size(); i++) {
            serve(changed.get(i), job, i == 0 ? units - changed.size() + 1 : 1);
        }
    }

    private static int serve(Gpu gpu, Waiting job, int units) {
        if (units > 0) {
            gpu.serves += units;
            gpu.jobs.add(job);
        }
        return units;
    }

    /** Takes up to {@code need} free slices of {@code profile} from {@code gpu}; how many it took. */
    private static int take(Gpu gpu, String profile, int need) {
        int taken = 0;
        while (taken < need && gpu.free.remove(profile)) {
            taken++;
        }
        return taken;
    }

    /** The GPUs that pass, by node name, each node's in index order. */
    private Map<String, List<Gpu>> byNode(Predicate<Gpu> test) {
        Map<String, List<Gpu>> nodes = new TreeMap<>();
        for (Gpu gpu : gpus) {
            if (test.test(gpu)) {
                nodes.computeIfAbsent(gpu.state.node(), n -> new ArrayList<>()).add(gpu);
            }
        }
        return nodes;
    }

    /** {@code candidates} of the nodes with most idle GPUs first, then by node name and index: GPUs of a node together. */
    private List<Gpu> nodesWithMostFirst(List<Gpu> candidates) {
        List<Gpu> order = new ArrayList<>(candidates);
        order.sort(Comparator.comparing((Gpu g) -> g.state.node(), mostIdleFirst()).thenComparing(BY_NODE_AND_INDEX));
        return order;
    }

    /**
     * Node names, those with most idle GPUs when the call began first (every node planned on has some); the lists
     * sorted with it are in name order and sorts are stable, so ties go by name.
     */
    private Comparator<String> mostIdleFirst() {
        return Comparator.comparingInt(node -> -idleOnNode.get(node));
    }
}
