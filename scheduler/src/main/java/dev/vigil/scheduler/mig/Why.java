package dev.vigil.scheduler.mig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The numbers behind a proposal, for people: what waits, what is free, which GPUs idle. */
final class Why {
    private final int freeWhole;
    private final Map<String, Integer> freeSlices = new LinkedHashMap<>();
    private final List<Waiting> waiting;

    /** Counts what was free when the call began; {@code waiting} oldest first. */
    Why(List<GpuState> gpus, List<Waiting> waiting) {
        this.waiting = waiting;
        int whole = 0;
        for (GpuState gpu : gpus) {
            if (!gpu.changeable()) {
                continue;
            }
            if (gpu.whole() && gpu.idle()) {
                whole++;
            }
            gpu.freeSlices().forEach(profile -> freeSlices.merge(profile, 1, Integer::sum));
        }
        this.freeWhole = whole;
    }

    /**
     * E.g. {@code 4 jobs wait for 20×1g.10gb (oldest 14m), 0 such slices free; GPUs 4-5 of node-3 idle whole;
     * all-1g.10gb gives 7×1g.10gb each}.
     *
     * @param served the jobs it serves, oldest first: the text counts all jobs waiting for what they wait for (the
     *               same profile, or whole GPUs) on the GPUs' model
     */
    String of(GpuState first, List<Integer> gpus, Layout target, List<Waiting> served) {
        String which = (gpus.size() == 1 ? "GPU " : "GPUs ") + ranges(gpus) + " of " + first.node();
        if (target.whole()) {
            List<Waiting> all = waiting.stream().filter(j -> j.migProfile() == null && j.allows(first.model()))
                    .toList();
            int units = all.stream().mapToInt(Waiting::units).sum();
            List<Integer> perNode = all.stream().map(Waiting::perNode).distinct().toList();
            String shape = perNode.size() == 1 && perNode.get(0) > 1 ? " (" + perNode.get(0) + " per node)" : "";
            return jobs(all.size()) + " for " + units + " whole GPU" + (units == 1 ? "" : "s") + shape + " (oldest "
                    + age(all.get(0).waited()) + "); " + freeWhole + " whole GPU" + (freeWhole == 1 ? "" : "s")
                    + " free; " + which + " idle in MIG" + (first.config() == null ? "" : " (" + first.config() + ")");
        }
        Map<String, List<Waiting>> byProfile = new LinkedHashMap<>();
        served.forEach(job -> byProfile.put(job.migProfile(), waiting.stream()
                .filter(j -> job.migProfile().equals(j.migProfile()) && j.allows(first.model())).toList()));
        List<String> parts = new ArrayList<>();
        byProfile.forEach((profile, jobs) -> parts.add(jobs(jobs.size()) + " for "
                + jobs.stream().mapToInt(Waiting::units).sum() + "×" + profile + " (oldest " + age(jobs.get(0).waited())
                + "), " + freeSlices.getOrDefault(profile, 0) + " such slices free"));
        return String.join("; ", parts) + "; " + which + " idle whole; " + target.config() + " gives "
                + slices(target.slices()) + " each";
    }

    private static String jobs(int count) {
        return count == 1 ? "1 job waits" : count + " jobs wait";
    }

    /** 0-1, 4, 6-7. */
    static String ranges(List<Integer> sorted) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            parts.add(i == j ? String.valueOf(sorted.get(i)) : sorted.get(i) + "-" + sorted.get(j));
            i = j + 1;
        }
        return String.join(", ", parts);
    }

    /** 7×1g.10gb, or 1×3g.40gb+2×1g.10gb. */
    static String slices(List<String> profiles) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        profiles.forEach(p -> counts.merge(p, 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        counts.forEach((profile, count) -> parts.add(count + "×" + profile));
        return String.join("+", parts);
    }

    /** 45s, 14m, 2h05m, 3d02h. */
    static String age(Duration waited) {
        long s = waited.toSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m";
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, s % 86_400 / 3600);
    }
}
