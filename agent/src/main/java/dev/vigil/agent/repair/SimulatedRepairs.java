package dev.vigil.agent.repair;

import dev.vigil.agent.execution.SimulatedJobRunner;
import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.cluster.AgentAction;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.health.HealthEvaluator;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Repairs on simulated GPUs, taking the spec's delays: a reset clears the GPU's faults, a reboot
 * silences the node and brings it back with every GPU reset and no job left, and the diagnostic
 * fails on a GPU with an active fault.
 */
public final class SimulatedRepairs implements NodeRepairs {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedRepairs.class);

    private final SimulatedNode node;
    private final SimulatedSpec spec;
    private final HealthEvaluator evaluator;
    private final SimulatedJobRunner jobs;
    private final ReportingPause reporting;
    private final SnapshotSource snapshots;
    private final SampleChecks checks;
    private final Clock clock;

    /**
     * @param jobs      the jobs the node runs, or null when none are run here
     * @param reporting silenced while the node reboots
     * @param sampled   the fields the agent samples, which the health checks read
     */
    public SimulatedRepairs(SimulatedNode node, HealthEvaluator evaluator, SimulatedJobRunner jobs,
                            ReportingPause reporting, SnapshotSource snapshots, FieldSet sampled, Clock clock) {
        this.node = node;
        this.spec = node.spec();
        this.evaluator = evaluator;
        this.jobs = jobs;
        this.reporting = reporting;
        this.snapshots = snapshots;
        this.checks = new SampleChecks(sampled, node.inventory());
        this.clock = clock;
    }

    @Override
    public Outcome resetGpu(AgentAction action) throws InterruptedException {
        int gpu = action.gpu();
        String missing = missingGpu(gpu);
        if (missing != null) {
            return Outcome.failed(missing, null);
        }
        List<GpuProcess> processes = node.processes(gpu);
        if (!processes.isEmpty()) {
            return Outcome.gpuInUse(gpu, processes);
        }
        Thread.sleep(spec.resetDelay().toMillis());
        // Forget first: clearing wakes the sampler, whose next sample must see the repair whole.
        evaluator.forget(gpu);
        List<String> remaining = node.clearFaults(gpu);
        String took = " in " + HumanDurations.format(spec.resetDelay());
        return remaining.isEmpty() ? Outcome.succeeded("gpu " + gpu + " reset" + took, null)
                : Outcome.failed("gpu " + gpu + " reset" + took + ", but " + String.join("; ", remaining), null);
    }

    @Override
    public Outcome reboot(AgentAction action) throws InterruptedException {
        LOG.atWarn().addKeyValue("node", node.node()).addKeyValue("id", action.id())
                .addKeyValue("silentFor", HumanDurations.format(spec.rebootDelay())).log("simulated_reboot");
        reporting.pause();
        List<String> remaining;
        try {
            Thread.sleep(spec.rebootDelay().toMillis());
            for (int gpu = 0; gpu < node.profile().gpuCount(); gpu++) {
                evaluator.forget(gpu);
            }
            if (jobs != null) {
                jobs.rebooted();
            }
            remaining = node.reboot();
        } catch (InterruptedException | RuntimeException e) {
            reporting.resume();
            throw e;
        }
        String done = "node rebooted in " + HumanDurations.format(spec.rebootDelay()) + ": every GPU reset, no job left";
        return remaining.isEmpty() ? Outcome.succeeded(done, null)
                : Outcome.failed(done + ", but " + String.join("; ", remaining), null);
    }

    /** The node reports again once the reboot's outcome is there to report, never before. */
    @Override
    public void recorded(AgentAction action) {
        if (action.kind() == AgentAction.Kind.REBOOT) {
            reporting.resume();
        }
    }

    @Override
    public Outcome healthCheck(AgentAction action) throws InterruptedException {
        int level = action.level() == null ? 1 : action.level();
        List<Integer> gpus;
        if (action.gpu() == null) {
            gpus = IntStream.range(0, node.profile().gpuCount()).boxed().toList();
        } else {
            String missing = missingGpu(action.gpu());
            if (missing != null) {
                return Outcome.failed(missing, null);
            }
            gpus = List.of(action.gpu());
        }
        Instant started = clock.instant();
        Duration duration = spec.diagDuration().multipliedBy(level);
        Thread.sleep(duration.toMillis());
        List<Check> found = new ArrayList<>();
        for (int gpu : gpus) {
            List<String> faults = node.faults(gpu);
            found.add(new Check("diag level " + level + " gpu " + gpu, faults.isEmpty(),
                    faults.isEmpty() ? "pass" : String.join(", ", faults)));
        }
        found.addAll(checks.check(snapshots.after(started), gpus));
        return Check.verdict(ActionExecutor.describe(action), found, duration);
    }

    private String missingGpu(int gpu) {
        int count = node.profile().gpuCount();
        return gpu < count ? null : "no gpu " + gpu + " on this node (it has 0 to " + (count - 1) + ")";
    }
}
