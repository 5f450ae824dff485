package dev.vigil.cli;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.sim.FifoFirstFit;
import dev.vigil.sim.Report;
import dev.vigil.sim.Simulation;
import dev.vigil.sim.VigilScheduler;
import dev.vigil.sim.Workload;
import dev.vigil.sim.cluster.SimCluster;
import dev.vigil.sim.trace.Generator;
import dev.vigil.sim.trace.RuntimeLimitRule;
import dev.vigil.sim.trace.Trace;
import dev.vigil.sim.trace.TraceFormat;
import dev.vigil.sim.trace.VigilCsv;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

/** {@code vigil sim}: a trace replayed on a simulated cluster, Vigil's scheduler against FIFO first-fit. */
@Command(name = "sim",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Replay a job trace on a simulated cluster in virtual time.",
                "",
                "It runs the controller's scheduler",
                "(the same code: only the clock and the execution backend are simulated), and with a FIFO first-fit",
                "baseline on the same input. A month of trace replays in seconds: for capacity planning, for",
                "comparing policies, and as the scheduler's benchmark.",
                "",
                "The cluster is a YAML file: node groups (model, GPUs per node, HGX or PCIe layout, MIG slices)",
                "laid out under leaf and spine switches, or Alibaba's node list; and optionally the scheduler's",
                "policy (tenants, quotas, priority classes). Examples are in sim/clusters/.",
                "",
                "Traces (the format is told by the header, or by --format):",
                "  vigil     Vigil's CSV: submit,duration,kind,gpus,nodes,gpusPerNode,replicas,migProfile,models,...",
                "  philly    the Philly-derived CSV: timestamp,duration,num_gpus,gpu_time,cluster",
                "  alibaba   Alibaba's 2023 pod list: name,...,num_gpu,gpu_milli,gpu_spec,...,creation_time,"
                        + "deletion_time",
                "Jobs no scheduler could ever start on this cluster are left out and counted.",
                "",
                "For each scheduler it prints: jobs, makespan, job completion time (JCT = finish - submit) and",
                "queueing delay (first start - submit) as average, p50, p95 and p99, GPU allocation (GPUs held,",
                "averaged over the makespan), the share of multi-node gangs placed on the fewest leaf switches",
                "they could take (apart for gangs that fit under one leaf switch and wider ones), preemptions, and",
                "decisions/s (placements per second of wall time spent deciding) and per second of CPU time",
                "(which a busy machine does not inflate: compare builds on it).",
                "Progress goes to stderr; -o json keeps stdout a single JSON document.",
                ""},
        footer = {"", "Examples:",
                "  vigil sim --cluster sim/clusters/alibaba-openb.yaml \\",
                "      --trace ../shared/traces/alibaba-openb-2023/openb_pod_list_default.csv",
                "  vigil sim --cluster sim/clusters/h100-1024.yaml --generate mixed --jobs 50000 --seed 1 "
                        + "--baseline none",
                "  vigil sim --cluster my-cluster.yaml --trace philly.csv --runtime-limit 1x -o json "
                        + "| jq '.runs[0].jctSeconds'",
                "  vigil sim --cluster my-cluster.yaml --generate gangs --jobs 100 --write-trace gangs.csv",
                "",
                "Exit status: 0 done, 2 a bad file, value or option (the message names it)."})
final class SimCommand implements Callable<Integer> {
    /** How to print. */
    enum Output { TABLE, JSON }

    /** Which baseline runs beside Vigil. */
    enum Baseline { FIFO, NONE }

    /** MIG layouts: the cluster file's, or following demand. */
    enum Mig { STATIC, AUTO }

    @Spec
    CommandSpec spec;

    @Option(names = "--cluster", required = true, paramLabel = "FILE", order = 1,
            description = "The simulated cluster (YAML; see sim/clusters/).")
    Path cluster;

    @ArgGroup(exclusive = true, multiplicity = "1", order = 2)
    Input input;

    /** A trace file, or a generated one. */
    static final class Input {
        @Option(names = "--trace", paramLabel = "FILE", description = "The trace to replay (CSV).")
        Path trace;

        @Option(names = "--generate", paramLabel = "MIX",
                description = "Generate a trace instead: single-node (1-8 GPUs), gangs (8 nodes × 8 GPUs) or mixed "
                        + "(single-node jobs, inference services and gangs of 2-16 nodes).")
        String generate;
    }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "auto", order = 3,
            description = "The trace's format: auto (told by the header), vigil, philly or alibaba (default: "
                    + "${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "10000", order = 4,
            description = "With --generate: how many jobs (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", order = 5,
            description = "With --generate: the random seed; the same seed gives the same trace (default: "
                    + "${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--span", paramLabel = "DURATION", defaultValue = "0s", order = 6,
            description = "With --generate: arrivals spread uniformly over this time; 0s submits every job at once "
                    + "(default: ${DEFAULT-VALUE}).")
    String span;

    @Option(names = "--write-trace", paramLabel = "FILE", order = 7,
            description = "Also write the replayed jobs as Vigil CSV (with the runtime limits they got).")
    Path writeTrace;

    @Option(names = "--arrival-speedup", paramLabel = "N", defaultValue = "1", order = 8,
            description = "Replay arrivals N times faster (submit times divided by N, durations kept): N times the "
                    + "load, for a trace too light for the cluster (default: ${DEFAULT-VALUE}, as recorded).")
    double arrivalSpeedup;

    @Option(names = "--runtime-limit", paramLabel = "RULE", defaultValue = "2x", order = 9,
            description = "The runtime limit of jobs whose trace gives none, which backfill plans with: a multiple "
                    + "of the real duration rounded up to a whole minute (1x is a perfect estimate), or one limit "
                    + "for all such as 24h (longer jobs are killed at it) (default: ${DEFAULT-VALUE}).")
    String runtimeLimit;

    @Option(names = "--cycle-interval", paramLabel = "DURATION", defaultValue = "0s", order = 10,
            description = "The least virtual time between scheduling cycles; 0s runs a cycle after every instant "
                    + "with arrivals or completions (default: ${DEFAULT-VALUE}).")
    String cycleInterval;

    @Option(names = "--baseline", paramLabel = "KIND", defaultValue = "fifo", order = 11,
            description = "fifo (strict FIFO, first fit over nodes in order, whole GPUs, no backfill) or none "
                    + "(default: ${DEFAULT-VALUE}).")
    Baseline baseline;

    @Option(names = "--mig", paramLabel = "LAYOUTS", defaultValue = "static", order = 12,
            description = "static (the cluster file's MIG layouts) or auto (every --mig-interval of virtual time, "
                    + "idle GPUs change layout to follow what waits, as the controller's mig.auto does; Vigil's "
                    + "scheduler only, the baseline keeps static layouts) (default: ${DEFAULT-VALUE}).")
    Mig mig;

    @Option(names = "--compare-mig", order = 13,
            description = "Run Vigil's scheduler with static and with auto MIG layouts, side by side.")
    boolean compareMig;

    @Option(names = "--mig-interval", paramLabel = "DURATION", defaultValue = "5m", order = 14,
            description = "With auto layouts: how often they are reconsidered (default: ${DEFAULT-VALUE}).")
    String migInterval;

    @Option(names = "--mig-change", paramLabel = "DURATION", defaultValue = "60s", order = 15,
            description = "With auto layouts: how long a GPU's layout change takes, without work (default: "
                    + "${DEFAULT-VALUE}).")
    String migChange;

    @Option(names = "--mig-max-changing", paramLabel = "N", defaultValue = "8", order = 16,
            description = "With auto layouts: at most N GPUs changing at once (default: ${DEFAULT-VALUE}).")
    int migMaxChanging;

    @Option(names = "--mig-min-idle", paramLabel = "N", defaultValue = "0", order = 17,
            description = "With auto layouts: a change leaves at least N idle GPUs of each kind, whole and sliced "
                    + "(default: ${DEFAULT-VALUE}).")
    int migMinIdle;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", order = 18,
            description = "table or json (default: ${DEFAULT-VALUE}).")
    Output output;

    @Option(names = {"-q", "--quiet"}, order = 19, description = "No progress on stderr.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        SimCluster simCluster;
        Trace trace;
        RuntimeLimitRule rule;
        Simulation.Options options;
        Simulation.Options auto;
        try {
            rule = RuntimeLimitRule.parse(runtimeLimit);
            options = new Simulation.Options(HumanDurations.parse(cycleInterval, "--cycle-interval"),
                    quiet ? Simulation.Progress.NONE : new ProgressLines(err));
            auto = new Simulation.Options(options.cycleInterval(), options.progress(), new Simulation.MigAuto(
                    HumanDurations.parse(migInterval, "--mig-interval"), HumanDurations.parse(migChange, "--mig-change"),
                    migMaxChanging, migMinIdle));
            simCluster = SimCluster.load(cluster);
            trace = input.trace != null ? TraceFormat.read(input.trace, format(), rule, simCluster)
                    : Generator.generate(mix(), jobs, seed, HumanDurations.parse(span, "--span"), rule);
            if (arrivalSpeedup != 1) {
                trace = trace.arrivingFaster(arrivalSpeedup);
            }
        } catch (InvalidDocumentException | InvalidValueException e) {
            err.println("vigil sim: " + e.getMessage());
            return ExitCodes.CONFIG;
        }
        Workload workload = Workload.of(trace, simCluster);
        if (writeTrace != null) {
            try (Writer out = Files.newBufferedWriter(writeTrace, StandardCharsets.UTF_8)) {
                VigilCsv.write(workload.jobs().stream().map(Workload.Entry::job).toList(), out);
            } catch (IOException e) {
                err.println("vigil sim: cannot write " + writeTrace + ": " + e);
                return ExitCodes.FAILED;
            }
        }
        List<Report> reports = new ArrayList<>();
        if (compareMig || mig == Mig.STATIC) {
            reports.add(Simulation.run(simCluster, workload, new VigilScheduler(simCluster), options));
        }
        if (compareMig || mig == Mig.AUTO) {
            reports.add(Simulation.run(simCluster, workload, new VigilScheduler(simCluster), auto));
        }
        if (baseline == Baseline.FIFO) {
            reports.add(Simulation.run(simCluster, workload, new FifoFirstFit(simCluster), options));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output == Output.JSON) {
            out.println(Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(
                    json(simCluster, trace, workload, reports)));
        } else {
            table(out, simCluster, trace, workload, rule, options, reports);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private Generator.Mix mix() {
        for (Generator.Mix known : Generator.Mix.values()) {
            if (known.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(input.generate)) {
                return known;
            }
        }
        throw new InvalidValueException("--generate", input.generate, "single-node, gangs or mixed");
    }

    private TraceFormat format() {
        if (format.equalsIgnoreCase("auto")) {
            return null;
        }
        for (TraceFormat known : TraceFormat.values()) {
            if (known.wireName().equalsIgnoreCase(format)) {
                return known;
            }
        }
        throw new InvalidValueException("--format", format, "auto, vigil, philly or alibaba");
    }

    private Map<String, Object> json(SimCluster simCluster, Trace trace, Workload workload, List<Report> reports) {
        Map<String, Object> document = new LinkedHashMap<>();
        Map<String, Object> clusterPart = new LinkedHashMap<>();
        clusterPart.put("name", simCluster.name());
        clusterPart.put("file", cluster.toString());
        clusterPart.put("nodes", simCluster.nodes().size());
        clusterPart.put("gpus", simCluster.gpus());
        clusterPart.put("leaves", simCluster.leaves());
        clusterPart.put("spines", simCluster.spines());
        document.put("cluster", clusterPart);
        Map<String, Object> tracePart = new LinkedHashMap<>();
        tracePart.put("source", trace.source());
        tracePart.put("format", trace.format().wireName());
        tracePart.put("rows", trace.rows());
        tracePart.put("jobs", workload.jobs().size());
        tracePart.put("skipped", workload.skipped());
        document.put("trace", tracePart);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("runtimeLimit", runtimeLimit);
        settings.put("arrivalSpeedup", arrivalSpeedup);
        settings.put("cycleInterval", cycleInterval);
        if (showsMig()) {
            settings.put("migInterval", migInterval);
            settings.put("migChange", migChange);
            settings.put("migMaxChanging", migMaxChanging);
            settings.put("migMinIdle", migMinIdle);
        }
        document.put("settings", settings);
        document.put("runs", reports);
        return document;
    }

    private void table(PrintWriter out, SimCluster simCluster, Trace trace, Workload workload, RuntimeLimitRule rule,
                       Simulation.Options options, List<Report> reports) {
        out.printf(Locale.ROOT, "cluster   %s: %,d node%s, %,d GPUs, %d leaf switch%s under %d spine%s%n",
                simCluster.name(), simCluster.nodes().size(), simCluster.nodes().size() == 1 ? "" : "s",
                simCluster.gpus(), simCluster.leaves(), simCluster.leaves() == 1 ? "" : "es", simCluster.spines(),
                simCluster.spines() == 1 ? "" : "s");
        out.printf(Locale.ROOT, "trace     %s (%s): %,d rows, %,d jobs replayed%n", trace.source(),
                trace.format().wireName(), trace.rows(), workload.jobs().size());
        workload.skipped().forEach((why, count) -> out.printf(Locale.ROOT, "          left out %,d: %s%n", count, why));
        out.printf(Locale.ROOT, "settings  %sruntime limit %s; %s%n", arrivalSpeedup == 1 ? ""
                        : String.format(Locale.ROOT, "arrivals %sx faster; ", number(arrivalSpeedup)),
                rule.factor() != null ? rule + " the real duration where the trace gives none" : rule,
                options.cycleInterval().isZero() ? "a cycle after every instant with events"
                        : "a cycle at most every " + HumanDurations.format(options.cycleInterval())
                        + " of virtual time");
        if (showsMig()) {
            out.printf(Locale.ROOT, "mig       auto: every %s, a change takes %s, at most %d GPU%s changing, %d idle of "
                            + "each kind kept%n", migInterval, migChange, migMaxChanging, migMaxChanging == 1 ? "" : "s",
                    migMinIdle);
        }
        out.println();
        List<String> headers = new ArrayList<>(List.of("MEASURE"));
        reports.forEach(r -> headers.add(r.scheduler().toUpperCase(Locale.ROOT)
                + (showsMig() && r.scheduler().equals("vigil") ? " (MIG " + r.mig().toUpperCase(Locale.ROOT) + ")"
                : "")));
        Table table = new Table(headers.toArray(String[]::new));
        row(table, reports, "jobs", r -> count(r.jobs()));
        row(table, reports, "completed", r -> count(r.completed()));
        row(table, reports, "killed at runtime limit", r -> count(r.killed()));
        row(table, reports, "never finished", r -> count(r.unfinished()));
        row(table, reports, "makespan", r -> span(r.makespanSeconds()));
        row(table, reports, "JCT average", r -> span(r.jctSeconds().average()));
        row(table, reports, "JCT p50 / p95 / p99", r -> spans(r.jctSeconds()));
        row(table, reports, "queueing average", r -> span(r.queueingSeconds().average()));
        row(table, reports, "queueing p50 / p95 / p99", r -> spans(r.queueingSeconds()));
        row(table, reports, "GPU allocation", r -> String.format(Locale.ROOT, "%.1f %%", r.gpuAllocationPercent()));
        row(table, reports, "multi-node on fewest leaves", r -> r.multiNodeJobs() == 0 ? "no multi-node jobs"
                : String.format(Locale.ROOT, "%.1f %% (%,d of %,d)", r.onFewestLeavesPercent(), r.onFewestLeaves(),
                r.multiNodeJobs()));
        row(table, reports, "gangs fitting one leaf, on one", r -> r.oneLeafGangs() == 0 ? "none"
                : String.format(Locale.ROOT, "%.1f %% (%,d of %,d)", r.onOneLeafPercent(), r.onOneLeaf(),
                r.oneLeafGangs()));
        row(table, reports, "wider gangs, on fewest leaves", r -> r.multiNodeJobs() == r.oneLeafGangs() ? "none"
                : String.format(Locale.ROOT, "%.1f %% (%,d of %,d)", r.wideOnFewestLeavesPercent(),
                r.onFewestLeaves() - r.onOneLeaf(), r.multiNodeJobs() - r.oneLeafGangs()));
        if (showsMig()) {
            row(table, reports, "MIG layout changes", r -> r.mig().equals("auto")
                    ? count(r.migChanges()) + (r.migChanges() == 1 ? " GPU" : " GPUs")
                    : "static");
        }
        row(table, reports, "preemptions", r -> count(r.preemptions()));
        row(table, reports, "placements", r -> count(r.placements()));
        row(table, reports, "decisions/s", r -> String.format(Locale.ROOT, "%,.0f (%,d cycles, %.2f s deciding)",
                r.decisionsPerSecond(), r.cycles(), r.schedulingSeconds()));
        row(table, reports, "decisions/CPU s", r -> String.format(Locale.ROOT, "%,.0f (%.2f s of CPU deciding)",
                r.decisionsPerCpuSecond(), r.schedulingCpuSeconds()));
        row(table, reports, "wall time", r -> String.format(Locale.ROOT, "%.2f s", r.wallSeconds()));
        table.print(out);
    }

    private boolean showsMig() {
        return compareMig || mig == Mig.AUTO;
    }

    private static void row(Table table, List<Report> reports, String measure, Function<Report, String> cell) {
        List<Object> cells = new ArrayList<>(List.of(measure));
        reports.forEach(r -> cells.add(cell.apply(r)));
        table.row(cells.toArray());
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    private static String count(int value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    private static String spans(Report.Summary summary) {
        return span(summary.p50()) + " / " + span(summary.p95()) + " / " + span(summary.p99());
    }

    /** Virtual time for people: 42s, 12m05s, 3h04m, 12d03h. */
    static String span(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, s % 86_400 / 3600);
    }

    /** A line on stderr every two seconds of wall time: which scheduler, how many jobs finished, the virtual time. */
    private static final class ProgressLines implements Simulation.Progress {
        private static final long EVERY = Duration.ofSeconds(2).toNanos();
        private final PrintWriter err;
        private final long started = System.nanoTime();
        private long next = started + EVERY;

        ProgressLines(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void update(String scheduler, int finished, int jobs, long virtualMillis) {
            long now = System.nanoTime();
            if (now >= next) {
                next = now + EVERY;
                err.printf(Locale.ROOT, "vigil sim: %s: %,d of %,d jobs finished, virtual time %s, %.0f s%n",
                        scheduler, finished, jobs, span(virtualMillis / 1000.0), (now - started) / 1e9);
                err.flush();
            }
        }
    }
}
