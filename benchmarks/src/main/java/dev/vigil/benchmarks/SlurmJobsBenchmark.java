package dev.vigil.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.api.binding.Documents;
import dev.vigil.slurm.Slurm;
import dev.vigil.slurm.SlurmConfig;
import dev.vigil.slurm.SlurmJob;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Jobs through Vigil's slurm backend against the local Slurm of
 * {@code scripts/slurm/start-local-slurm.sh}, beside plain sbatch on the same machine, in rounds
 * whose order alternates: what goes later finds the earlier paths' jobs in slurmctld (MinJobAge
 * keeps them), and Slurm's cost grows with them. {@code bin/vigil controller} (scheduler on the slurm
 * backend) and four {@code bin/vigil agent}s on simulated HGX H100 boards named gpu01..gpu04, as Slurm's
 * nodes are, start once and stay up, as a fleet's do; each Vigil path first runs {@code --warm-up} times
 * unmeasured (a fresh JVM spends about half its CPU of the first minute compiling: that cold start is
 * reported apart). Each round then runs these paths:
 * <ol>
 *   <li>Vigil in batches: N one-GPU jobs running {@code true}, posted to {@code POST /v1/jobs:batch},
 *       {@code --batch} jobs a post (as a sweep is submitted): jobs per second from the first post to the
 *       last job's start in Slurm (Slurm's start times, to the second), and each job's post-to-start
 *       latency;</li>
 *   <li>sbatch: the same N jobs through plain {@code sbatch}, one after another, measured the same way,
 *       Vigil idle and out of Slurm's epilog;</li>
 *   <li>Vigil one by one: as the first, each job its own {@code POST /v1/jobs}.</li>
 * </ol>
 * Odd rounds run them in this order, even rounds in the reverse order. With {@code --batch 1} only
 * the one-by-one path and sbatch run, alternating. After the rounds, XID 79 is injected on an agent
 * until its node shows DRAIN in {@code sinfo}, {@code --xid-samples} times. After each path a line says
 * the CPU every part used meanwhile ({@link CpuAccount}): on a saturated machine that is what bounds it.
 * The agents listen on 127.0.0.1:9401..9404, where {@code scripts/slurm/bench-epilog.sh} (the local
 * Slurm's epilog when started with {@code VIGIL_SLURM_EPILOG}) tells them a job ended.
 *
 * <p>Usage: {@code scripts/bench-slurm-jobs.sh [--jobs 500] [--rounds 3] [--xid-samples 5] [--batch 50] [--warm-up 1]}
 */
public final class SlurmJobsBenchmark {
    private static final ObjectMapper JSON = Documents.json();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final List<String> NODES = List.of("gpu01", "gpu02", "gpu03", "gpu04");
    private static final String BATCHED = "Vigil in batches";
    private static final String ONE_BY_ONE = "Vigil one by one";
    private static final String SBATCH = "sbatch";
    /** While this file is in the Slurm directory, scripts/slurm/bench-epilog.sh tells no agent. */
    private static final String EPILOG_OFF = "bench-epilog-off";
    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    private SlurmJobsBenchmark() {
    }

    /** One path's run: how fast its jobs were submitted and started. */
    private record Result(String path, double submitSeconds, double window, double medianLatency,
                          double p95Latency, int known) {
        double jobsPerSecond(int jobs) {
            return jobs / window;
        }
    }

    public static void main(String[] args) throws Exception {
        Path vigil = Path.of(arg(args, "--vigil", "cli/target/vigil-0.1.0-SNAPSHOT/vigil-0.1.0-SNAPSHOT/bin/vigil"));
        int jobs = Integer.parseInt(arg(args, "--jobs", "500"));
        int rounds = Integer.parseInt(arg(args, "--rounds", "3"));
        int xidSamples = Integer.parseInt(arg(args, "--xid-samples", "5"));
        int batch = Integer.parseInt(arg(args, "--batch", "50"));
        int warmUps = Integer.parseInt(arg(args, "--warm-up", "1"));
        Path slurmDir = Path.of(System.getenv().getOrDefault("VIGIL_SLURM_DIR", "/tmp/vigil-slurm"));
        Files.deleteIfExists(slurmDir.resolve(EPILOG_OFF));   // left by a run killed during sbatch's path
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(slurmDir.resolve("env"))) {
            String assignment = line.replaceFirst("^export ", "");
            env.put(assignment.substring(0, assignment.indexOf('=')), assignment.substring(assignment.indexOf('=') + 1));
        }
        Slurm slurm = Slurm.connect(new SlurmConfig(URI.create(env.get("SLURMRESTD_URL")), env.get("SLURMRESTD_USER"),
                env.get("SLURMRESTD_TOKEN"), null, Duration.ofSeconds(30), Map.of("SLURM_CONF", env.get("SLURM_CONF"))));
        String run = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        String epilog = slurmConfig(env, "Epilog");
        System.out.printf("Slurm %s; %d one-GPU jobs running 'true' on 4 nodes x 8 GPUs; %d rounds, the order "
                        + "alternating (a path that goes second finds the first's jobs in slurmctld); %d CPUs here; run %s%n",
                slurm.release(), jobs, rounds, CPUS, run);
        System.out.println("Slurm's epilog: " + (epilog.isEmpty() ? "none (Vigil learns of an ended job at its next poll)"
                : epilog + " (it tells Vigil's agent a job ended; not in sbatch's rounds)"));

        try (Fleet fleet = Fleet.start(vigil, env)) {
            System.out.printf("controller and 4 agents up (logs in %s), kept for every round%n", fleet.dir());
            run(fleet, slurm, env, slurmDir, run, jobs, rounds, batch, warmUps);
            if (xidSamples > 0) {
                xidToDrain(env, fleet, xidSamples);
            }
        }
    }

    /**
     * Each Vigil path {@code warmUps} times unmeasured against the idle cluster (a fresh controller's JIT takes
     * half its CPU in its first minute, and still compiles after a thousand jobs: the first pass is reported as
     * the cold start, not compared), then the measured rounds.
     */
    private static void run(Fleet fleet, Slurm slurm, Map<String, String> env, Path slurmDir, String run, int jobs,
                            int rounds, int batch, int warmUps) throws Exception {
        List<String> vigilPaths = batch > 1 ? List.of(BATCHED, ONE_BY_ONE) : List.of(ONE_BY_ONE);
        CpuAccount cpu = new CpuAccount(fleet.pids());
        Map<String, Result> cold = new LinkedHashMap<>();
        for (int pass = 1; pass <= warmUps; pass++) {
            for (String path : vigilPaths) {
                System.out.printf("%s, warm-up %d of %d; load average %s%n", path, pass, warmUps, loadAverage());
                String tag = run + "-0" + pass + (path.equals(BATCHED) ? "b" : "");
                cold.putIfAbsent(path, accounted(cpu, () -> viaVigil(fleet, slurm, env, tag, jobs,
                        path.equals(BATCHED) ? batch : 1)));
                awaitIdle(env);
            }
        }
        List<Map<String, Result>> results = new ArrayList<>();
        List<String> orders = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            // Vigil's paths alternate between first and last; sbatch goes between them (or alternates with the one)
            List<String> order = new ArrayList<>(batch > 1 ? List.of(BATCHED, SBATCH, ONE_BY_ONE)
                    : List.of(ONE_BY_ONE, SBATCH));
            if (round % 2 == 0) {
                java.util.Collections.reverse(order);
            }
            String tag = run + "-" + round;
            Map<String, Result> byPath = new LinkedHashMap<>();
            for (String path : order) {
                System.out.printf("%s; load average %s%n", path, loadAverage());
                byPath.put(path, accounted(cpu, () -> path.equals(SBATCH) ? viaSbatch(slurm, env, slurmDir, tag, jobs)
                        : viaVigil(fleet, slurm, env, tag + (path.equals(BATCHED) ? "b" : ""), jobs,
                        path.equals(BATCHED) ? batch : 1)));
                awaitIdle(env);
            }
            results.add(byPath);
            orders.add(String.join(", ", order));
            Result sbatch = byPath.get(SBATCH);
            for (String path : order) {
                if (!path.equals(SBATCH)) {
                    System.out.printf(Locale.ROOT, "round %d (%s): %s %.1f jobs/s, sbatch %.1f jobs/s: %.2fx%n", round,
                            orders.get(round - 1), path, byPath.get(path).jobsPerSecond(jobs), sbatch.jobsPerSecond(jobs),
                            byPath.get(path).jobsPerSecond(jobs) / sbatch.jobsPerSecond(jobs));
                }
            }
        }
        System.out.printf("load average at the end: %s%n%n", loadAverage());
        StringBuilder header = new StringBuilder("| round | order ");
        StringBuilder rule = new StringBuilder("|---|---");
        for (String path : vigilPaths) {
            header.append("| ").append(path).append(" jobs/s | / sbatch | submit to start median, p95 ");
            rule.append("|---|---|---");
        }
        System.out.println(header + "| sbatch jobs/s | sbatch submit to start median, p95 |");
        System.out.println(rule + "|---|---|");
        Map<String, Double> ratios = new LinkedHashMap<>();
        for (int i = 0; i < results.size(); i++) {
            Result s = results.get(i).get(SBATCH);
            StringBuilder row = new StringBuilder("| " + (i + 1) + " | " + orders.get(i) + " ");
            for (String path : vigilPaths) {
                Result v = results.get(i).get(path);
                double ratio = v.jobsPerSecond(jobs) / s.jobsPerSecond(jobs);
                ratios.merge(path, ratio, Double::sum);
                row.append(String.format(Locale.ROOT, "| %.1f (posted at %.0f/s) | %.2fx | %.1f s, %.1f s ",
                        v.jobsPerSecond(jobs), jobs / v.submitSeconds(), ratio, v.medianLatency(), v.p95Latency()));
            }
            row.append(String.format(Locale.ROOT, "| %.1f (submitted at %.0f/s) | %.1f s, %.1f s |", s.jobsPerSecond(jobs),
                    jobs / s.submitSeconds(), s.medianLatency(), s.p95Latency()));
            System.out.println(row);
        }
        ratios.forEach((path, sum) -> System.out.printf(Locale.ROOT, "mean %s / sbatch over %d rounds: %.2fx%n", path,
                results.size(), sum / results.size()));
        cold.forEach((path, result) -> System.out.printf(Locale.ROOT, "%s cold (the warm-up, the controller's first "
                + "jobs): %.1f jobs/s%n", path, result.jobsPerSecond(jobs)));
    }

    /** Runs one path and prints the CPU each part used meanwhile. */
    private static Result accounted(CpuAccount cpu, Callable<Result> path) throws Exception {
        Map<String, Double> before = cpu.now();
        long start = System.nanoTime();
        Result result = path.call();
        System.out.println(CpuAccount.between(before, cpu.now(), (System.nanoTime() - start) / 1e9, CPUS));
        return result;
    }

    /** The 1, 5 and 15 minute load averages, as {@code /proc/loadavg} gives them. */
    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * {@code bin/vigil controller} and four agents, started once and kept for every round, as a fleet
     * keeps them; during sbatch's rounds they idle (the controller still polls Slurm).
     */
    private record Fleet(Path dir, String base, String admin, Map<String, Integer> agentPorts, List<Process> processes)
            implements AutoCloseable {
        static Fleet start(Path vigil, Map<String, String> env) throws Exception {
            Path dir = Files.createTempDirectory("vigil-bench-slurm-jobs-");
            List<Process> processes = new ArrayList<>();
            int port = freePort();
            String base = "http://127.0.0.1:" + port;
            Files.writeString(dir.resolve("controller.yaml"), """
                    member: bench
                    listen: 127.0.0.1:%d
                    dataDir: %s
                    cluster: {members: [{name: bench, address: "127.0.0.1:%d"}], communicationPort: %d}
                    scheduler: {interval: 500ms, backend: slurm}
                    fabric:
                      spines:
                        - name: spine
                          leaves:
                            - {name: leaf1, nodes: ["gpu[01-02]"]}
                            - {name: leaf2, nodes: ["gpu[03-04]"]}
                    slurm:
                      connection:
                        url: "%s"
                        user: %s
                        token: "%s"
                        timeout: 30s
                        commandEnvironment: {SLURM_CONF: "%s"}
                      poll: 2s   # the default: the epilog says when a job ended
                      workingDirectory: /tmp
                      output: /dev/null
                    """.formatted(port, dir.resolve("data"), freePort(), freePort(), env.get("SLURMRESTD_URL"),
                    env.get("SLURMRESTD_USER"), env.get("SLURMRESTD_TOKEN"), env.get("SLURM_CONF")));
            try {
                processes.add(new ProcessBuilder(vigil.toString(), "controller", "-c", dir.resolve("controller.yaml")
                        .toString()).redirectErrorStream(true).redirectOutput(dir.resolve("controller.log").toFile())
                        .start());
                awaitReady(base);
                String admin = Files.readString(dir.resolve("data/admin.token")).trim();
                Map<String, Integer> agentPorts = new LinkedHashMap<>();
                for (String node : NODES) {
                    // scripts/slurm/bench-epilog.sh finds a node's agent here
                    int agentPort = 9401 + NODES.indexOf(node);
                    agentPorts.put(node, agentPort);
                    Files.writeString(dir.resolve(node + ".yaml"), """
                            node: %s
                            listen: 127.0.0.1:%d
                            backend: simulated
                            simulated: {profile: hgx-h100-8, seed: %d}
                            controller: {urls: ["%s"], tokenFile: %s}
                            """.formatted(node, agentPort, node.hashCode(), base, dir.resolve("data/agent.token")));
                    processes.add(new ProcessBuilder(vigil.toString(), "agent", "-c", dir.resolve(node + ".yaml")
                            .toString()).redirectErrorStream(true).redirectOutput(dir.resolve(node + ".log").toFile())
                            .start());
                }
                awaitNodes(base, admin);
                return new Fleet(dir, base, admin, agentPorts, processes);
            } catch (Exception | Error e) {
                stop(processes);
                throw e;
            }
        }

        /** The controller's and the agents' processes, for the CPU they use. */
        Map<String, List<Long>> pids() {
            Map<String, List<Long>> pids = new LinkedHashMap<>();
            pids.put("controller", List.of(processes.get(0).pid()));
            pids.put("agents", processes.subList(1, processes.size()).stream().map(Process::pid).toList());
            return pids;
        }

        @Override
        public void close() throws InterruptedException {
            stop(processes);
        }

        private static void stop(List<Process> processes) throws InterruptedException {
            for (Process process : processes) {
                process.destroy();
            }
            for (Process process : processes) {
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** N jobs through {@code POST /v1/jobs} (or {@code :batch}) until Slurm started them all. */
    private static Result viaVigil(Fleet fleet, Slurm slurm, Map<String, String> env, String tag, int jobs, int batch)
            throws Exception {
        String base = fleet.base();
        String admin = fleet.admin();
        int known = slurm.jobs().size();
        System.out.printf("slurmctld knows %d jobs%n", known);
        String vigilName = "bench-v-" + tag;
        long[] posted = new long[jobs];
        Instant firstPost = Instant.now();
        long postStart = System.nanoTime();
        String spec = "{\"name\": \"" + vigilName + "\", \"gpus\": 1, \"runtimeLimit\": \"10m\", "
                + "\"command\": [\"true\"]}";
        for (int i = 0; i < jobs; i += batch) {
            int size = Math.min(batch, jobs - i);
            Arrays.fill(posted, i, i + size, System.currentTimeMillis());
            String path = batch == 1 ? "/v1/jobs" : "/v1/jobs:batch";
            HttpResponse<String> response = send("POST", base + path, admin, batch == 1 ? spec
                    : "{\"jobs\": [" + String.join(", ", java.util.Collections.nCopies(size, spec)) + "]}");
            if (response.statusCode() != 201) {
                throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
        }
        double postSeconds = (System.nanoTime() - postStart) / 1e9;
        List<SlurmJob> vigilJobs = awaitStarted(slurm, env, vigilName, jobs, Duration.ofMinutes(10));
        return report(batch == 1 ? "Vigil: POST /v1/jobs one by one, slurm backend"
                : "Vigil: POST /v1/jobs:batch, " + batch + " jobs a post, slurm backend", jobs, postSeconds, firstPost, posted,
                vigilJobs, known);
    }

    /** XID 79 injected on an agent until its node shows DRAIN in {@code sinfo}, {@code samples} times. */
    private static void xidToDrain(Map<String, String> env, Fleet fleet, int samples) throws Exception {
        String base = fleet.base();
        String admin = fleet.admin();
        List<Long> drains = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            String node = NODES.get(i % NODES.size());
            String agent = "http://127.0.0.1:" + fleet.agentPorts().get(node);
            long injected = System.nanoTime();
            send("POST", agent + "/v1/faults", null, "{\"gpu\": 3, \"kind\": \"xid\", \"xid\": 79}");
            while (!sinfo(env, node).startsWith("drain") && !sinfo(env, node).startsWith("drng")) {
                if (System.nanoTime() - injected > TimeUnit.SECONDS.toNanos(30)) {
                    throw new IllegalStateException(node + " not drained in Slurm 30 s after the XID");
                }
            }
            drains.add((System.nanoTime() - injected) / 1_000_000);
            send("DELETE", agent + "/v1/faults?gpu=3", null, null);
            send("POST", base + "/v1/nodes/" + node + "/uncordon", admin, "{\"reason\": \"bench: repaired\"}");
            long resumed = System.nanoTime();
            while (!sinfo(env, node).startsWith("idle") && System.nanoTime() - resumed < 30_000_000_000L) {
                Thread.sleep(50);
            }
        }
        long[] sorted = drains.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("XID 79 -> DRAIN in sinfo: %d samples, median %d ms, max %d ms (all: %s)%n",
                sorted.length, sorted[sorted.length / 2], sorted[sorted.length - 1], drains);
    }

    /**
     * The same N jobs through plain {@code sbatch}, one after another, as plain Slurm runs them: Vigil idles,
     * and a file in the Slurm directory tells {@code bench-epilog.sh} to leave Vigil's agents out.
     */
    private static Result viaSbatch(Slurm slurm, Map<String, String> env, Path slurmDir, String tag, int jobs)
            throws Exception {
        Path epilogOff = Files.writeString(slurmDir.resolve(EPILOG_OFF), tag);
        try {
            return viaSbatch(slurm, env, tag, jobs);
        } finally {
            Files.deleteIfExists(epilogOff);
        }
    }

    private static Result viaSbatch(Slurm slurm, Map<String, String> env, String tag, int jobs) throws Exception {
        String sbatchName = "bench-s-" + tag;
        int known = slurm.jobs().size();
        long[] submitted = new long[jobs];
        Instant firstSubmit = Instant.now();
        long submitStart = System.nanoTime();
        for (int i = 0; i < jobs; i++) {
            submitted[i] = System.currentTimeMillis();
            ProcessBuilder builder = new ProcessBuilder("sbatch", "--parsable", "--job-name=" + sbatchName,
                    "--gpus-per-node=1", "--time=10", "--chdir=/tmp", "--output=/dev/null", "--wrap", "true")
                    .redirectErrorStream(true);
            builder.environment().put("SLURM_CONF", env.get("SLURM_CONF"));
            builder.environment().remove("SLURM_JWT");
            Process sbatch = builder.start();
            String out = new String(sbatch.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (sbatch.waitFor() != 0) {
                throw new IllegalStateException("sbatch failed: " + out);
            }
        }
        double submitSeconds = (System.nanoTime() - submitStart) / 1e9;
        System.out.printf("Vigil idle; slurmctld knew %d jobs%n", known);
        List<SlurmJob> sbatchJobs = awaitStarted(slurm, env, sbatchName, jobs, Duration.ofMinutes(10));
        return report("plain sbatch, one after another", jobs, submitSeconds, firstSubmit, submitted, sbatchJobs, known);
    }

    /** Waits until no job holds or waits for Slurm's nodes, so a path starts on an empty cluster. */
    private static void awaitIdle(Map<String, String> env) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        // squeue lists pending, configuring, running and completing jobs unless told otherwise
        while (!squeue(env, "-h", "-o", "%i").isBlank()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Slurm still runs jobs 5 minutes after a path's last start");
            }
            Thread.sleep(500);
        }
    }

    /**
     * Waits until Slurm has started every job of that name (running or done), and returns them. Asked
     * through {@code squeue} each second, and through slurmrestd once at the end: a listing through
     * slurmrestd costs it a second and more with the thousands of jobs slurmctld keeps, and Vigil's
     * path goes through it.
     */
    private static List<SlurmJob> awaitStarted(Slurm slurm, Map<String, String> env, String name, int count,
                                               Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            int started = startedCount(env, name);
            if (started >= count) {
                return slurm.jobs().stream().filter(j -> name.equals(j.name()) && j.started() != null).toList();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + started + " of " + count + " jobs started within " + limit);
            }
            Thread.sleep(1000);
        }
    }

    /** How many jobs of that name slurmctld knows that are neither pending nor configuring. */
    private static int startedCount(Map<String, String> env, String name) throws Exception {
        return (int) squeue(env, "-h", "--name=" + name, "-t", "all", "-o", "%T").lines().map(String::strip)
                .filter(state -> !state.isEmpty() && !state.equals("PENDING") && !state.equals("CONFIGURING")).count();
    }

    private static String squeue(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("squeue"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SLURM_CONF", env.get("SLURM_CONF"));
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("squeue " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    private static Result report(String what, int jobs, double submitSeconds, Instant first, long[] submittedMillis,
                                 List<SlurmJob> started, int known) {
        // Slurm numbers jobs as they arrive, so the i-th id is the i-th submit (Vigil submits in queue order)
        List<SlurmJob> bySubmit = started.stream().sorted((a, b) -> Long.compare(a.id(), b.id())).toList();
        Instant last = started.stream().map(SlurmJob::started).max(Instant::compareTo).orElseThrow();
        // Slurm keeps start times in whole seconds: the window runs from the first submit's second to the end
        // of the last start's second
        double window = Duration.between(first.truncatedTo(ChronoUnit.SECONDS), last).toMillis() / 1000.0 + 1;
        long[] latencies = new long[bySubmit.size()];
        for (int i = 0; i < bySubmit.size() && i < submittedMillis.length; i++) {
            latencies[i] = Math.max(0, bySubmit.get(i).started().toEpochMilli() - submittedMillis[i]);
        }
        Arrays.sort(latencies);
        System.out.printf(Locale.ROOT, "%s: %d jobs submitted in %.1f s (%.0f/s); all started in Slurm %.0f s after "
                        + "the first submit: %.1f jobs/s; submit to start (Slurm's whole seconds) median %.1f s, p95 %.1f s, "
                + "max %.1f s%n",
                what, jobs, submitSeconds, jobs / submitSeconds, window, jobs / window,
                latencies[latencies.length / 2] / 1000.0, latencies[(int) (latencies.length * 0.95)] / 1000.0,
                latencies[latencies.length - 1] / 1000.0);
        return new Result(what, submitSeconds, window, latencies[latencies.length / 2] / 1000.0,
                latencies[(int) (latencies.length * 0.95)] / 1000.0, known);
    }

    /** A value of {@code scontrol show config} ({@code (null)} as empty). */
    private static String slurmConfig(Map<String, String> env, String key) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("scontrol", "show", "config").redirectErrorStream(true);
        builder.environment().put("SLURM_CONF", env.get("SLURM_CONF"));
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        for (String line : out.split("\n")) {
            String[] pair = line.split("=", 2);
            if (pair.length == 2 && pair[0].strip().equals(key)) {
                String value = pair[1].strip();
                return value.equals("(null)") ? "" : value;
            }
        }
        return "";
    }

    private static String sinfo(Map<String, String> env, String node) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sinfo", "-h", "-n", node, "-o", "%t").redirectErrorStream(true);
        builder.environment().put("SLURM_CONF", env.get("SLURM_CONF"));
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        process.waitFor();
        return out;
    }

    private static void awaitReady(String base) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                if (send("GET", base + "/readyz", null, null).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the controller did not become ready within 120 s");
    }

    /** Every node reporting, ready, with Slurm's view of it. */
    private static void awaitNodes(String base, String admin) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            int ready = 0;
            for (String node : NODES) {
                HttpResponse<String> response = send("GET", base + "/v1/nodes/" + node, admin, null);
                if (response.statusCode() == 200) {
                    JsonNode record = JSON.readTree(response.body());
                    ready += record.get("state").asText().equals("ready") && record.path("execution").has("state")
                            ? 1 : 0;
                }
            }
            if (ready == NODES.size()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the 4 nodes were not ready in Vigil within 120 s");
    }

    private static HttpResponse<String> send(String method, String url, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
