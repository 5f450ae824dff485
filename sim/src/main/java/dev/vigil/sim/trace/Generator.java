package dev.vigil.sim.trace;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Synthetic traces for benchmarks: the same mix, count and seed give the same trace. Durations are
 * log-uniform (many short jobs, a few long ones), whole seconds; arrivals are uniform over
 * {@code span} (all at 0 when the span is zero: a full queue).
 */
public final class Generator {
    /** What the jobs look like. */
    public enum Mix {
        /** One node each: 1, 2, 4 or 8 GPUs (40, 25, 20, 15 %), 5 minutes to 2 hours. */
        SINGLE_NODE,
        /** Gangs of 8 nodes × 8 GPUs, 30 minutes to 4 hours. */
        GANGS,
        /**
         * 55 % single-node jobs as above, 10 % inference services of 2 to 8 one-GPU replicas, 25 % gangs
         * of 2 to 4 nodes × 8 GPUs and 10 % of 8 to 16 nodes × 8 GPUs (30 minutes to 4 hours).
         */
        MIXED
    }

    private Generator() {
    }

    public static Trace generate(Mix mix, int count, long seed, Duration span, RuntimeLimitRule rule) {
        InvalidValueException.require(count >= 1 && count <= 10_000_000, "jobs", count, "1 to 10000000");
        InvalidValueException.require(!span.isNegative(), "span", span, "0s or more");
        SplittableRandom random = new SplittableRandom(seed);
        int width = String.valueOf(count).length();
        List<TraceJob> jobs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = String.format("job-%0" + width + "d", i + 1);
            long submit = span.isZero() ? 0 : random.nextLong(span.toMillis()) / 1000 * 1000;
            jobs.add(new TraceJob(id, submit, spec(id, mix, random, rule), 0));
        }
        String source = "generated: " + mix.name().toLowerCase(Locale.ROOT).replace('_', '-') + ", " + count
                + " jobs, seed " + seed;
        return new Trace(source, TraceFormat.VIGIL, count, jobs, new HashMap<>());
    }

    private static JobSpec spec(String id, Mix mix, SplittableRandom random, RuntimeLimitRule rule) {
        double pick = random.nextDouble();
        if (mix == Mix.SINGLE_NODE || mix == Mix.MIXED && pick < 0.55) {
            double size = random.nextDouble();
            int gpus = size < 0.40 ? 1 : size < 0.65 ? 2 : size < 0.85 ? 4 : 8;
            return training(id, 1, gpus, duration(random, 5, 120), rule);
        }
        Duration runs = duration(random, 30, 240);
        if (mix == Mix.GANGS) {
            return training(id, 8, 8, runs, rule);
        }
        if (pick < 0.65) {
            return new JobSpec(id, JobKind.INFERENCE, null, null, null, null, null, null, 1, null, null,
                    2 + random.nextInt(7), null, null, rule.limitFor(runs), runs, null, null, null, null, null);
        }
        int nodes = pick < 0.90 ? 2 + random.nextInt(3) : 8 + random.nextInt(9);
        return training(id, nodes, 8, runs, rule);
    }

    private static JobSpec training(String id, int nodes, int perNode, Duration runs, RuntimeLimitRule rule) {
        return new JobSpec(id, JobKind.TRAINING, null, null, null, null, null, nodes, perNode, null, null, null, null,
                null, rule.limitFor(runs), runs, null, null, null, null, null);
    }

    /** Log-uniform from {@code fromMinutes} to {@code toMinutes}, in whole seconds. */
    private static Duration duration(SplittableRandom random, int fromMinutes, int toMinutes) {
        double log = Math.log(fromMinutes * 60.0) + random.nextDouble() * Math.log((double) toMinutes / fromMinutes);
        return Duration.ofSeconds(Math.round(Math.exp(log)));
    }
}
