package dev.vigil.scheduler.mig;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Proposes MIG layouts that follow demand: slice work waiting that free slices cannot hold while
 * whole GPUs idle turns idle whole GPUs into the layout offering that profile most; whole-GPU work
 * waiting that free whole GPUs cannot hold while MIG GPUs idle entirely turns those to MIG off.
 * Only idle, changeable GPUs change, each at most once a call (no flip-flop); GPUs of one node go
 * together, nodes with most idle first. Nothing is proposed that would not let waiting work start:
 * a gang gets its conversions only when all its groups would then fit.
 *
 * <p>Pure and deterministic: the same GPUs and waiting jobs, in any order, give the same
 * proposals. The controller calls it for {@code vigil mig plan} and {@code mig.auto}; {@code vigil
 * sim} for demand-driven layouts.
 */
public final class LayoutAdvisor {
    /**
     * Limits on what one call proposes.
     *
     * @param maxGpusChangingAtOnce at most this many GPUs changing fleet-wide, those already changing
     *                              included (passed to {@link #propose(List, List, int)})
     * @param minIdle               at least this many idle GPUs of each kind (whole, sliced) fleet-wide after the
     *                              change, so a burst of the other kind is not starved
     */
    public record Settings(int maxGpusChangingAtOnce, int minIdle) {
        public Settings {
            if (maxGpusChangingAtOnce < 0 || minIdle < 0) {
                throw new IllegalArgumentException("maxGpusChangingAtOnce (" + maxGpusChangingAtOnce + ") and minIdle ("
                        + minIdle + ") must be 0 or more");
            }
        }
    }

    private final Map<String, List<Layout>> layoutsByModel;
    private final Settings settings;

    /**
     * @param layoutsByModel the configs each GPU model may take, by its product name as {@link GpuState#model()}
     *                       gives it; a model without any is never changed
     */
    public LayoutAdvisor(Map<String, List<Layout>> layoutsByModel, Settings settings) {
        this.layoutsByModel = new TreeMap<>();
        layoutsByModel.forEach((model, layouts) -> this.layoutsByModel.put(model, List.copyOf(layouts)));
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Proposals when no GPU is changing now. */
    public List<Proposal> propose(List<GpuState> gpus, List<Waiting> waiting) {
        return propose(gpus, waiting, 0);
    }

    /**
     * Proposals for {@code gpus} given the {@code waiting} jobs.
     *
     * @param changingNow GPUs already changing fleet-wide: they count against
     *                    {@link Settings#maxGpusChangingAtOnce()}
     * @return the proposals by node and first GPU; empty when nothing waits or no change would let anything start
     */
    public List<Proposal> propose(List<GpuState> gpus, List<Waiting> waiting, int changingNow) {
        if (waiting.isEmpty()) {
            return List.of();
        }
        return new Round(this, gpus, changingNow).plan(waiting);
    }

    Settings settings() {
        return settings;
    }

    /** The config of {@code model} with the most instances of {@code profile}; ties go to the first name. */
    Optional<Layout> offering(String model, String profile) {
        return layoutsByModel.getOrDefault(model, List.of()).stream()
                .filter(layout -> layout.count(profile) > 0)
                .min(Comparator.comparingInt((Layout layout) -> -layout.count(profile)).thenComparing(Layout::config));
    }

    /** The config of {@code model} that turns MIG off; of several, the first name. */
    Optional<Layout> whole(String model) {
        return layoutsByModel.getOrDefault(model, List.of()).stream()
                .filter(Layout::whole)
                .min(Comparator.comparing(Layout::config));
    }

    static List<Waiting> oldestFirst(List<Waiting> waiting) {
        List<Waiting> order = new ArrayList<>(waiting);
        order.sort(Comparator.comparing(Waiting::waited).reversed().thenComparing(Waiting::job));
        return order;
    }
}
