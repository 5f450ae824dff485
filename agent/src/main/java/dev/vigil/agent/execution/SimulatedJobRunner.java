package dev.vigil.agent.execution;

import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.Workload;
import dev.vigil.gpu.simulated.WorkloadKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simulated execution backend's agent side: an allocation runs as load on its simulated GPUs
 * (a training workload for a gang, an inference workload for a replica, on whole GPUs or on one
 * MIG instance), so /metrics shows utilization and power rise while the job runs and fall after.
 * A fault that crashes the application ends the job's load on that GPU, as on real hardware; the
 * job stays ended there until the controller takes it away (it requeues or fails it on the health
 * and events the agent reports), so a crashed job never restarts by itself.
 */
public final class SimulatedJobRunner implements JobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedJobRunner.class);

    private final SimulatedNode node;
    /** What runs where now: a whole GPU, or one MIG instance of it. */
    private final Map<Slot, String> running = new HashMap<>();

    /** A GPU, or a MIG GPU instance on it. */
    private record Slot(int gpu, Integer gpuInstance) {
        /** {@code 3}, or {@code 6/2} for GPU instance 2 of GPU 6. */
        @Override
        public String toString() {
            return gpuInstance == null ? String.valueOf(gpu) : gpu + "/" + gpuInstance;
        }
    }

    public SimulatedJobRunner(SimulatedNode node) {
        this.node = node;
        node.onCrash(this::crashed);
    }

    /** A fault ended what ran on a GPU or MIG instance: one line naming the job it ended. */
    private synchronized void crashed(SimulatedNode.Crash crash) {
        Slot slot = new Slot(crash.gpu(), crash.gpuInstance());
        LOG.atWarn().addKeyValue("node", node.node()).addKeyValue("job", running.getOrDefault(slot, "none"))
                .addKeyValue("gpu", slot.toString()).addKeyValue("xid", crash.xid()).log("simulated_job_crashed");
    }

    /** The node rebooted: nothing runs on it any more, and nothing is remembered as running. */
    public synchronized void rebooted() {
        running.clear();
    }

    /** The Vigil job running on a GPU (or one of its MIG instances), or null when none runs there. */
    public synchronized String jobOn(int gpu, Integer gpuInstance) {
        return running.get(new Slot(gpu, gpuInstance));
    }

    @Override
    public synchronized String apply(List<Allocation> allocations) {
        List<String> errors = new ArrayList<>();
        Map<Slot, Allocation> wanted = new LinkedHashMap<>();
        for (Allocation allocation : allocations) {
            List<Slot> slots = slots(allocation, errors);
            for (Slot slot : slots) {
                wanted.put(slot, allocation);
            }
        }
        Map<String, List<String>> stopped = new TreeMap<>();
        for (Map.Entry<Slot, String> slot : List.copyOf(running.entrySet())) {
            Allocation now = wanted.get(slot.getKey());
            if (now == null || !now.job().equals(slot.getValue())) {
                node.stop(slot.getKey().gpu(), slot.getKey().gpuInstance());
                running.remove(slot.getKey());
                stopped.computeIfAbsent(slot.getValue(), job -> new ArrayList<>()).add(slot.getKey().toString());
            }
        }
        Map<String, List<String>> started = new TreeMap<>();
        Map<String, WorkloadKind> kinds = new HashMap<>();
        for (Map.Entry<Slot, Allocation> slot : wanted.entrySet()) {
            if (running.containsKey(slot.getKey())) {
                continue;
            }
            Slot at = slot.getKey();
            WorkloadKind kind = slot.getValue().kind() == JobKind.INFERENCE ? WorkloadKind.INFERENCE
                    : WorkloadKind.TRAINING;
            node.run(at.gpu(), at.gpuInstance(), new Workload(List.of(at.gpu()), at.gpuInstance(), kind, null, null));
            running.put(at, slot.getValue().job());
            started.computeIfAbsent(slot.getValue().job(), job -> new ArrayList<>()).add(at.toString());
            kinds.put(slot.getValue().job(), kind);
        }
        // One line per job, however many GPUs or slices it has here.
        stopped.forEach((job, slots) -> LOG.atInfo().addKeyValue("node", node.node()).addKeyValue("job", job)
                .addKeyValue("gpus", String.join(",", slots)).log("simulated_job_stopped"));
        started.forEach((job, slots) -> LOG.atInfo().addKeyValue("node", node.node()).addKeyValue("job", job)
                .addKeyValue("gpus", String.join(",", slots))
                .addKeyValue("kind", kinds.get(job).name().toLowerCase()).log("simulated_job_started"));
        return errors.isEmpty() ? null : String.join("; ", errors);
    }

    /** Where an allocation runs; a MIG instance the GPU does not have is an error naming the job. */
    private List<Slot> slots(Allocation allocation, List<String> errors) {
        if (allocation.migInstances().isEmpty()) {
            return allocation.gpus().stream().map(gpu -> new Slot(gpu, null)).toList();
        }
        int gpu = allocation.gpus().get(0);
        GpuDevice device = node.inventory().gpus().get(gpu);
        List<Slot> slots = new ArrayList<>();
        for (int instance : allocation.migInstances()) {
            if (device.mig().instances().stream().map(MigInstance::gpuInstanceId).anyMatch(id -> id == instance)) {
                slots.add(new Slot(gpu, instance));
            } else {
                errors.add("allocation of job " + allocation.job() + ": GPU " + gpu + " has no MIG instance "
                        + instance + " (it has " + device.mig().instances().stream().map(MigInstance::gpuInstanceId)
                        .toList() + ")");
            }
        }
        return slots;
    }
}
