package dev.vigil.benchmarks;

import dev.vigil.slurm.JobRequest;
import dev.vigil.slurm.Slurm;
import dev.vigil.slurm.SlurmConfig;
import dev.vigil.slurm.SlurmException;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The Slurm bridge against the local Slurm of {@code scripts/slurm/start-local-slurm.sh}: how fast
 * it submits one-CPU jobs that run {@code true}, through slurmrestd and through sbatch (the
 * fallback), one at a time and from several threads; then how long listing every job and node
 * takes with those jobs known to slurmctld. The jobs really run, so slurmctld and the slurmds
 * work meanwhile, as they would on a cluster.
 * Usage: {@code scripts/bench-slurm.sh [--jobs 300] [--threads 4]}
 */
public final class SlurmSubmitBenchmark {
    private SlurmSubmitBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = Integer.parseInt(arg(args, "--jobs", "300"));
        int threads = Integer.parseInt(arg(args, "--threads", "4"));
        Path dir = Path.of(System.getenv().getOrDefault("VIGIL_SLURM_DIR", "/tmp/vigil-slurm"));
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve("env"))) {
            String assignment = line.replaceFirst("^export ", "");
            env.put(assignment.substring(0, assignment.indexOf('=')), assignment.substring(assignment.indexOf('=') + 1));
        }
        Slurm slurm = Slurm.connect(new SlurmConfig(URI.create(env.get("SLURMRESTD_URL")), env.get("SLURMRESTD_USER"),
                env.get("SLURMRESTD_TOKEN"), null, Duration.ofSeconds(30), Map.of("SLURM_CONF", env.get("SLURM_CONF"))));
        Path work = Files.createTempDirectory("vigil-bench-slurm-");
        JobRequest rest = JobRequest.builder("#!/bin/bash\ntrue\n").name("bench").workingDirectory(work.toString())
                .output("/dev/null").timeLimit(Duration.ofMinutes(1)).build();
        // a switch limit sends the same job through sbatch on 22.05
        JobRequest sbatch = JobRequest.builder("#!/bin/bash\ntrue\n").name("bench").workingDirectory(work.toString())
                .output("/dev/null").timeLimit(Duration.ofMinutes(1)).maxSwitches(1, null).build();
        System.out.printf("Slurm %s, slurmrestd %s, %d jobs per run%n", slurm.release(), slurm.apiVersion().id(), jobs);
        submit(slurm, rest, 10, 1, null);   // warm up the JIT and the connection
        submit(slurm, rest, jobs, 1, "submit via REST, 1 thread");
        submit(slurm, rest, jobs, threads, "submit via REST, " + threads + " threads");
        submit(slurm, sbatch, jobs / 3, 1, "submit via sbatch, 1 thread");
        submit(slurm, sbatch, jobs / 3, threads, "submit via sbatch, " + threads + " threads");
        time("list jobs (" + slurm.jobs().size() + " known)", () -> slurm.jobs().size());
        time("list nodes", () -> slurm.nodes().size());
    }

    private static void submit(Slurm slurm, JobRequest request, int count, int threads, String what) throws Exception {
        ConcurrentLinkedQueue<Long> nanos = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int share = count / threads + (t < count % threads ? 1 : 0);
            done.add(pool.submit(() -> {
                for (int i = 0; i < share; i++) {
                    long begin = System.nanoTime();
                    slurm.submit(request);
                    nanos.add(System.nanoTime() - begin);
                }
                return null;
            }));
        }
        for (Future<?> future : done) {
            future.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        if (what != null) {
            print(what, nanos, count / seconds);
        }
    }

    /** Something to measure that may fail the way Slurm fails. */
    private interface Call {
        int run() throws SlurmException;
    }

    private static void time(String what, Call call) throws SlurmException {
        List<Long> nanos = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long begin = System.nanoTime();
            call.run();
            nanos.add(System.nanoTime() - begin);
        }
        print(what, nanos, 0);
    }

    private static void print(String what, Collection<Long> nanos, double rate) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "%-34s %s median %.1f ms, p99 %.1f ms (%d)%n", what,
                rate > 0 ? String.format(Locale.ROOT, "%6.0f jobs/s,", rate) : "            ",
                sorted[sorted.length / 2] / 1e6, sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))] / 1e6,
                sorted.length);
    }

    private static String arg(String[] args, String name, String fallback) {
        int at = Arrays.asList(args).indexOf(name);
        return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
    }
}
