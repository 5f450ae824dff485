package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobState;
import dev.vigil.scheduler.Job.Held;
import dev.vigil.scheduler.topology.ClusterState;
import dev.vigil.scheduler.topology.ClusterState.Node;
import dev.vigil.scheduler.topology.ClusterState.Slice;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A backend's word on which GPUs of a node a job really runs on (Slurm picks the GPUs within a node itself): the
 * job's hold moves there, and placed jobs that held those GPUs take the ones it gave up. The same for a MIG slice (the
 * Kubernetes device plugin picks which instance of the profile a pod gets).
 */
final class Rebinding {
    private final ClusterState state;
    private final Map<String, Job> jobs;

    Rebinding(ClusterState state, Map<String, Job> jobs) {
        this.state = state;
        this.jobs = jobs;
    }

    /** See {@link Scheduler#rebind}; {@code changed} is told each job whose holds moved. */
    boolean rebind(String id, String node, Integer replica, List<Integer> gpus, Consumer<Job> changed) {
        Job job = jobs.get(id);
        int at = job == null ? -1 : heldOn(job, node, replica);
        if (at < 0) {
            return false;
        }
        Held held = job.held.get(at);
        Node n = held.node();
        int mask = 0;
        for (int gpu : gpus) {
            if (gpu < 0 || gpu >= n.gpuCount()) {
                return false;
            }
            mask |= 1 << gpu;
        }
        if (Integer.bitCount(mask) != gpus.size() || Integer.bitCount(mask) != Integer.bitCount(held.mask())) {
            return false;
        }
        if (mask == held.mask()) {
            return true;
        }
        // Who holds the GPUs the job takes, and which of their GPUs those are.
        Map<Job, Integer> displaced = new LinkedHashMap<>();
        for (int bits = mask & ~held.mask(); bits != 0; bits &= bits - 1) {
            int gpu = Integer.numberOfTrailingZeros(bits);
            String owner = n.owner(gpu);
            if (owner == null) {
                continue;
            }
            Job other = jobs.get(owner);
            if (other == null || other != job && other.state != JobState.PLACED) {
                return false;
            }
            displaced.merge(other, 1 << gpu, (a, b) -> a | b);
        }
        int givenUp = held.mask() & ~mask;
        job.held.set(at, new Held(n, mask, -1, null, replica, held.model(), held.milli()));
        for (Map.Entry<Job, Integer> entry : displaced.entrySet()) {
            Job other = entry.getKey();
            for (int i = 0; i < other.held.size(); i++) {
                Held h = other.held.get(i);
                if (h.node() != n || (other == job && i == at) || (h.mask() & entry.getValue()) == 0) {
                    continue;
                }
                int lostBits = h.mask() & entry.getValue();
                int swapped = 0;
                for (int k = Integer.bitCount(lostBits); k > 0; k--) {
                    int bit = Integer.lowestOneBit(givenUp);
                    swapped |= bit;
                    givenUp &= ~bit;
                }
                other.held.set(i, new Held(n, (h.mask() & ~lostBits) | swapped, -1, null, h.replica(), h.model(),
                        h.milli()));
            }
        }
        Set<Job> touched = new LinkedHashSet<>(displaced.keySet());
        touched.add(job);
        for (Job j : touched) {
            state.release(n, j.id);
        }
        for (Job j : touched) {
            for (Held h : j.held) {
                if (h.node() == n) {
                    state.allocate(n, h.mask(), j.id);
                }
            }
            changed.accept(j);
        }
        return true;
    }

    /**
     * See {@link Scheduler#rebind(String, dev.vigil.api.jobs.Placement)}: the job's slice on {@code node} moves to
     * instance {@code gpuInstance} of {@code gpu}, and a placed job (or another replica) that held that slice takes
     * the one given up.
     */
    boolean rebindSlice(String id, String node, Integer replica, int gpu, int gpuInstance, Consumer<Job> changed) {
        Job job = jobs.get(id);
        int at = job == null ? -1 : sliceOn(job, node, replica);
        if (at < 0) {
            return false;
        }
        Held held = job.held.get(at);
        Node n = held.node();
        Slice target = n.slice(gpu, gpuInstance);
        if (target == null || !target.profile.equals(held.slice().profile)) {
            return false;
        }
        if (held.gpu() == gpu && held.slice().gpuInstanceId == gpuInstance) {
            return true;
        }
        Job other = target.owner() == null ? null : jobs.get(target.owner());
        if (target.owner() != null && (other == null || other != job && other.state != JobState.PLACED)) {
            return false;
        }
        job.held.set(at, new Held(n, held.mask(), gpu, target, replica, held.model(), held.milli()));
        if (other != null) {
            // The holder takes the slice given up (the slice objects are the node's current ones).
            for (int i = 0; i < other.held.size(); i++) {
                Held h = other.held.get(i);
                if (h.node() == n && h.slice() != null && h.gpu() == gpu
                        && h.slice().gpuInstanceId == gpuInstance && !(other == job && i == at)) {
                    other.held.set(i, new Held(n, h.mask(), held.gpu(), n.slice(held.gpu(),
                            held.slice().gpuInstanceId), h.replica(), h.model(), h.milli()));
                }
            }
        }
        Set<Job> touched = new LinkedHashSet<>();
        touched.add(job);
        if (other != null) {
            touched.add(other);
        }
        for (Job j : touched) {
            state.release(n, j.id);
        }
        for (Job j : touched) {
            for (Held h : j.held) {
                if (h.node() == n && h.slice() != null) {
                    state.allocate(n, h.gpu(), n.slice(h.gpu(), h.slice().gpuInstanceId), j.id);
                }
            }
            changed.accept(j);
        }
        return true;
    }

    /** Where in the job's holds its MIG slice on {@code node} (for {@code replica}) is, or -1. */
    private static int sliceOn(Job job, String node, Integer replica) {
        for (int i = 0; i < job.held.size(); i++) {
            Held h = job.held.get(i);
            if (h.node().name.equals(node) && h.slice() != null && Objects.equals(h.replica(), replica)) {
                return i;
            }
        }
        return -1;
    }

    /** Where in the job's holds its whole GPUs on {@code node} (for {@code replica}) are, or -1. */
    private static int heldOn(Job job, String node, Integer replica) {
        for (int i = 0; i < job.held.size(); i++) {
            Held h = job.held.get(i);
            if (h.node().name.equals(node) && h.slice() == null && Objects.equals(h.replica(), replica)) {
                return i;
            }
        }
        return -1;
    }
}
