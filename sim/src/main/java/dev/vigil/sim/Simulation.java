package dev.vigil.sim;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Placement;
import dev.vigil.scheduler.Decision;
import dev.vigil.scheduler.mig.LayoutAdvisor;
import dev.vigil.scheduler.mig.Proposal;
import dev.vigil.scheduler.mig.Waiting;
import dev.vigil.sim.cluster.ClusterFile;
import dev.vigil.sim.cluster.SimCluster;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeSet;

/**
 * Replays a workload on a simulated cluster in virtual time. Events are arrivals and completions;
 * after the events of one instant, a scheduling cycle runs (no more often than the cycle interval,
 * when one is set). The simulation is the execution backend: on a start it reports the job
 * running and plans its completion at now + its real duration, or at its runtime limit if that
 * comes first (then the job is killed: finished, failed); on a stop (a preemption) it forgets that
 * completion, and the job, requeued by the scheduler, runs from its beginning when it starts again.
 *
 * <p>With demand-driven MIG layouts ({@link Options#mig()}), every interval of virtual time while
 * work waits the {@link LayoutAdvisor} is asked, after that instant's cycle; the GPUs it proposes
 * leave the scheduler's view (no slices, not usable) until their change ends, an event like the
 * others, when they come back in the new layout.
 */
public final class Simulation {
    /** Measures the CPU time of each cycle on the replaying thread. */
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    /** Told how far a replay is, after each cycle; throttling is the listener's business. */
    @FunctionalInterface
    public interface Progress {
        void update(String scheduler, int finished, int jobs, long virtualMillis);

        Progress NONE = (scheduler, finished, jobs, virtualMillis) -> {
        };
    }

    /**
     * @param cycleInterval the least virtual time between two cycles (zero: a cycle after every instant with events)
     * @param progress      told how far the replay is
     * @param mig           demand-driven MIG layouts, or null for static ones (the cluster file's)
     */
    public record Options(Duration cycleInterval, Progress progress, MigAuto mig) {
        public Options {
            InvalidValueException.require(!cycleInterval.isNegative(), "cycleInterval", cycleInterval,
                    "0s or more");
        }

        /** Static MIG layouts. */
        public Options(Duration cycleInterval, Progress progress) {
            this(cycleInterval, progress, null);
        }
    }

    /**
     * Demand-driven MIG layouts: every {@code interval} of virtual time while work waits, the
     * {@link LayoutAdvisor}'s proposals are carried out on the cluster's idle GPUs; a GPU changing
     * takes no work for {@code change}. Only for a scheduler that {@link SimScheduler#changesLayouts()
     * places on MIG slices}; others keep the static layouts.
     *
     * @param interval    how often the advisor is asked
     * @param change      how long a layout change takes
     * @param maxChanging at most this many GPUs changing at once
     * @param minIdle     idle GPUs of each kind (whole, sliced) a change must leave
     */
    public record MigAuto(Duration interval, Duration change, int maxChanging, int minIdle) {
        public MigAuto {
            InvalidValueException.require(interval.toMillis() > 0, "interval", interval, "more than 0s");
            InvalidValueException.require(!change.isNegative(), "change", change, "0s or more");
            InvalidValueException.require(maxChanging >= 1, "maxChanging", maxChanging, "1 or more");
            InvalidValueException.require(minIdle >= 0, "minIdle", minIdle, "0 or more");
        }
    }

    /** A layout change that ends at {@code at}. */
    private record Change(long at, long seq, Proposal proposal) {
    }

    private record Completion(long at, int job, int attempt) {
    }

    private final SimCluster cluster;
    private final List<Workload.Entry> jobs;
    private final SimScheduler scheduler;
    private final Options options;
    private final Map<String, Integer> index = new HashMap<>();
    private final PriorityQueue<Completion> completions = new PriorityQueue<>(
            Comparator.comparingLong(Completion::at).thenComparingInt(Completion::job));
    private final long[] firstStart;
    private final long[] finish;
    private final boolean[] killed;
    private final boolean[] running;
    private final int[] attempt;
    private final long[] heldMilli;
    private long now;
    private long allocatedMilli;
    private double allocatedMilliMillis;
    private int finished;
    private int multiNode;
    private int onFewestLeaves;
    private int oneLeafGangs;
    private int onOneLeaf;
    private int preemptions;
    private int placements;
    private int cycles;
    private long nanos;
    private long cpuNanos;
    /** With demand-driven layouts (else null): the GPUs' layouts and holders, and the jobs' placements. */
    private final MigFleet fleet;
    private final LayoutAdvisor advisor;
    private final List<List<Placement>> held;
    /** Submitted jobs that wait for GPUs (services short of replicas included). */
    private final TreeSet<Integer> unplaced = new TreeSet<>();
    private final PriorityQueue<Change> changes = new PriorityQueue<>(
            Comparator.comparingLong(Change::at).thenComparingLong(Change::seq));
    private long changeSeq;

    private Simulation(SimCluster cluster, Workload workload, SimScheduler scheduler, Options options) {
        this.cluster = cluster;
        this.jobs = workload.jobs();
        this.scheduler = scheduler;
        this.options = options;
        int n = jobs.size();
        if (options.mig() != null && scheduler.changesLayouts()) {
            fleet = new MigFleet(cluster);
            advisor = new LayoutAdvisor(fleet.layouts(), new LayoutAdvisor.Settings(options.mig().maxChanging(),
                    options.mig().minIdle()));
            held = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                held.add(new ArrayList<>());
            }
        } else {
            fleet = null;
            advisor = null;
            held = null;
        }
        firstStart = new long[n];
        finish = new long[n];
        killed = new boolean[n];
        running = new boolean[n];
        attempt = new int[n];
        heldMilli = new long[n];
        for (int i = 0; i < n; i++) {
            index.put(jobs.get(i).job().id(), i);
            firstStart[i] = -1;
            finish[i] = -1;
        }
    }

    /** Replays {@code workload} with {@code scheduler}, which must be fresh, on {@code cluster}. */
    public static Report run(SimCluster cluster, Workload workload, SimScheduler scheduler, Options options) {
        return new Simulation(cluster, workload, scheduler, options).run();
    }

    private Report run() {
        long wallStart = System.nanoTime();
        long interval = options.cycleInterval().toMillis();
        int next = 0;
        long lastCycle = Long.MIN_VALUE / 2;
        boolean dirty = false;
        now = jobs.isEmpty() ? 0 : submit(0);
        long nextTick = fleet == null ? Long.MAX_VALUE : now + options.mig().interval().toMillis();
        // A tick alone keeps the replay going only while something happened since the last one.
        boolean activeSinceTick = true;
        while (true) {
            long arrival = next < jobs.size() ? submit(next) : Long.MAX_VALUE;
            long completion = completions.isEmpty() ? Long.MAX_VALUE : completions.peek().at();
            long changed = changes.isEmpty() ? Long.MAX_VALUE : changes.peek().at();
            long event = Math.min(Math.min(arrival, completion), changed);
            long cycle = dirty ? Math.max(now, lastCycle + interval) : Long.MAX_VALUE;
            long tick = fleet != null && !unplaced.isEmpty()
                    && (event != Long.MAX_VALUE || cycle != Long.MAX_VALUE || activeSinceTick)
                    ? Math.max(now, nextTick) : Long.MAX_VALUE;
            if (event == Long.MAX_VALUE && cycle == Long.MAX_VALUE && tick == Long.MAX_VALUE) {
                break;
            }
            if (event <= cycle && event <= tick) {
                advance(event);
                // Completions first, so work arriving at the same instant sees their GPUs free.
                while (!completions.isEmpty() && completions.peek().at() == event) {
                    complete(completions.poll());
                }
                while (!changes.isEmpty() && changes.peek().at() == event) {
                    scheduler.upsertNode(fleet.end(changes.poll().proposal()));
                }
                while (next < jobs.size() && submit(next) == event) {
                    if (fleet != null) {
                        unplaced.add(next);
                    }
                    scheduler.submit(jobs.get(next++).job(), instant(event));
                }
                dirty = true;
                activeSinceTick = true;
            } else if (cycle > tick) {
                advance(tick);
                changeLayouts();
                nextTick = tick + options.mig().interval().toMillis();
                activeSinceTick = false;
            } else {
                advance(cycle);
                long cpuStart = CPU.getCurrentThreadCpuTime();
                SimScheduler.Round round = scheduler.schedule(instant(cycle));
                cpuNanos += CPU.getCurrentThreadCpuTime() - cpuStart;
                cycles++;
                nanos += round.nanos();
                lastCycle = cycle;
                // A stopped job is requeued after the cycle that stopped it: another cycle may place it.
                dirty = apply(round.decisions());
                activeSinceTick = true;
                options.progress().update(scheduler.name(), finished, jobs.size(), now);
            }
        }
        return report((System.nanoTime() - wallStart) / 1e9);
    }

    /** Asks the advisor and begins the changes it proposes. */
    private void changeLayouts() {
        List<Waiting> waiting = new ArrayList<>();
        for (int job : unplaced) {
            waiting.add(Waiting.of(jobs.get(job).job().id(), jobs.get(job).job().spec(), held.get(job).size(),
                    Duration.ofMillis(now - submit(job))));
        }
        for (Proposal proposal : advisor.propose(fleet.states(), waiting, fleet.changing())) {
            scheduler.upsertNode(fleet.begin(proposal));
            changes.add(new Change(now + options.mig().change().toMillis(), changeSeq++, proposal));
        }
    }

    /** Keeps the placements of demand-driven layouts up to date, and which jobs still wait. */
    private void placed(int job, List<Placement> placements, boolean start) {
        if (fleet == null) {
            return;
        }
        if (start) {
            held.get(job).addAll(placements);
            fleet.take(placements);
        } else {
            held.get(job).removeAll(placements);
            fleet.release(placements);
        }
        JobSpec spec = jobs.get(job).job().spec();
        boolean shortOf = spec.kind() == JobKind.TRAINING ? held.get(job).isEmpty()
                : held.get(job).size() < spec.replicas();
        if (shortOf && finish[job] < 0) {
            unplaced.add(job);
        } else {
            unplaced.remove(job);
        }
    }

    private long submit(int job) {
        return jobs.get(job).job().submitMillis();
    }

    private static Instant instant(long millis) {
        return Instant.EPOCH.plusMillis(millis);
    }

    /** Moves virtual time on, adding the GPUs held meanwhile to the allocation integral. */
    private void advance(long to) {
        allocatedMilliMillis += (double) allocatedMilli * (to - now);
        now = to;
    }

    /** Carries out a cycle's decisions; true when one was a stop. */
    private boolean apply(List<Decision> decisions) {
        boolean stopped = false;
        for (Decision decision : decisions) {
            int job = index.get(decision.job());
            if (decision instanceof Decision.Start start) {
                placements++;
                hold(job, milli(start.placements(), start.spec()));
                placed(job, start.placements(), true);
                if (!running[job]) {
                    started(job, start);
                }
            } else if (decision instanceof Decision.Stop stop) {
                hold(job, -milli(stop.placements(), jobs.get(job).job().spec()));
                placed(job, stop.placements(), false);
                if (heldMilli[job] == 0 && running[job]) {
                    running[job] = false;
                    attempt[job]++;
                    preemptions++;
                    stopped = true;
                }
            }
        }
        return stopped;
    }

    private void started(int job, Decision.Start start) {
        JobSpec spec = jobs.get(job).job().spec();
        running[job] = true;
        if (firstStart[job] < 0) {
            firstStart[job] = now;
            if (spec.kind() == JobKind.TRAINING && spec.nodes() > 1) {
                multiNode++;
                long leaves = start.placements().stream().mapToInt(p -> cluster.leafOf(p.node())).distinct().count();
                int fewest = jobs.get(job).fewestLeaves();
                onFewestLeaves += leaves <= fewest ? 1 : 0;
                if (fewest == 1) {
                    oneLeafGangs++;
                    onOneLeaf += leaves == 1 ? 1 : 0;
                }
            }
        }
        scheduler.running(start.job(), instant(now));
        long runs = Math.min(spec.duration().toMillis(), spec.runtimeLimit().toMillis());
        completions.add(new Completion(now + runs, job, attempt[job]));
    }

    private void complete(Completion completion) {
        int job = completion.job();
        if (!running[job] || completion.attempt() != attempt[job]) {
            return;
        }
        JobSpec spec = jobs.get(job).job().spec();
        boolean ranToEnd = spec.duration().compareTo(spec.runtimeLimit()) <= 0;
        running[job] = false;
        killed[job] = !ranToEnd;
        finish[job] = now;
        finished++;
        hold(job, -heldMilli[job]);
        if (fleet != null) {
            placed(job, List.copyOf(held.get(job)), false);
        }
        scheduler.finished(jobs.get(job).job().id(), ranToEnd, instant(now));
    }

    private void hold(int job, long milli) {
        heldMilli[job] += milli;
        allocatedMilli += milli;
    }

    /** Thousandths of a GPU: whole GPUs, or a MIG slice's compute share (its slices out of 7). */
    private static long milli(List<Placement> placements, JobSpec spec) {
        long milli = 0;
        for (Placement placement : placements) {
            if (placement.migInstances().isEmpty()) {
                milli += placement.gpus().size() * 1000L;
            } else {
                milli += (ClusterFile.Mig.computeSlices(spec.migProfile()) * 1000L + 6) / 7;
            }
        }
        return milli;
    }

    private Report report(double wallSeconds) {
        List<Double> jct = new ArrayList<>();
        List<Double> queueing = new ArrayList<>();
        int completed = 0;
        int killedCount = 0;
        long first = jobs.isEmpty() ? 0 : submit(0);
        long last = first;
        for (int i = 0; i < jobs.size(); i++) {
            long submitted = submit(i);
            if (firstStart[i] >= 0) {
                queueing.add((firstStart[i] - submitted) / 1000.0);
            }
            if (finish[i] >= 0) {
                jct.add((finish[i] - submitted) / 1000.0);
                last = Math.max(last, finish[i]);
                if (killed[i]) {
                    killedCount++;
                } else {
                    completed++;
                }
            }
        }
        long makespan = last - first;
        double capacity = cluster.gpus() * 1000.0 * makespan;
        double seconds = nanos / 1e9;
        return new Report(scheduler.name(), jobs.size(), completed, killedCount, jobs.size() - completed - killedCount,
                makespan / 1000.0, Report.Summary.of(unbox(jct)), Report.Summary.of(unbox(queueing)),
                capacity == 0 ? 0 : 100 * allocatedMilliMillis / capacity, multiNode, onFewestLeaves, oneLeafGangs,
                onOneLeaf, preemptions, placements, cycles, seconds, cpuNanos / 1e9, seconds == 0 ? 0 : placements / seconds, wallSeconds,
                fleet == null ? "static" : "auto", fleet == null ? 0 : fleet.changed());
    }

    private static double[] unbox(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
