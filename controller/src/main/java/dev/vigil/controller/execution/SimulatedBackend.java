package dev.vigil.controller.execution;

import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.Placement;
import dev.vigil.controller.config.BackendName;
import dev.vigil.scheduler.Decision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code simulated} backend: a job runs on the agents' simulated GPUs for its
 * {@code duration}. Starting it puts one allocation per placement into each node's desired
 * state; the job runs once every such node's agent reports that version (or a later one)
 * applied, and succeeds {@code duration} later by the controller's clock. Stopping it takes the
 * allocations out again. An agent on real GPUs only records what it was asked.
 *
 * <p>Everything it knows can be rebuilt from the job records and the nodes' allocations, which
 * is what {@link #adopt} does for a new leader.
 */
public final class SimulatedBackend implements ExecutionBackend {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedBackend.class);

    private final DesiredAllocations nodes;
    /** What each job holds, as this backend launched it. */
    private final Map<String, Launched> jobs = new LinkedHashMap<>();

    /** A job this backend runs: mutable, owned by the scheduler loop's thread. */
    private static final class Launched {
        final JobSpec spec;
        final List<Placement> placements = new ArrayList<>();
        /** Desired-state version each node must report applied before the job runs. */
        final Map<String, Long> awaiting = new HashMap<>();
        /** When it succeeds, once it runs. */
        Instant ends;

        Launched(JobSpec spec) {
            this.spec = spec;
        }
    }

    public SimulatedBackend(DesiredAllocations nodes) {
        this.nodes = nodes;
    }

    @Override
    public String name() {
        return BackendName.SIMULATED;
    }

    @Override
    public void start(Decision.Start start) {
        Launched launched = jobs.computeIfAbsent(start.job(), j -> new Launched(start.spec()));
        for (Map.Entry<String, List<Placement>> node : byNode(start.placements()).entrySet()) {
            List<Allocation> added = node.getValue().stream().map(p -> Allocation.of(start.job(), start.spec(), p))
                    .toList();
            // A node the controller does not know cannot confirm (-1): the job fails at the next poll.
            launched.awaiting.put(node.getKey(), add(node.getKey(), added));
            launched.placements.addAll(node.getValue());
        }
        LOG.atInfo().addKeyValue("job", start.job()).addKeyValue("attempt", start.attempt())
                .addKeyValue("placements", start.placements().size())
                .addKeyValue("nodes", String.join(",", byNode(start.placements()).keySet())).log("simulated_start");
    }

    @Override
    public void stop(Decision.Stop stop) {
        for (Map.Entry<String, List<Placement>> node : byNode(stop.placements()).entrySet()) {
            nodes.change(node.getKey(), current -> current.stream()
                    .filter(a -> node.getValue().stream().noneMatch(p -> a.holds(stop.job(), p))).toList());
        }
        Launched launched = jobs.get(stop.job());
        if (launched != null) {
            launched.placements.removeAll(stop.placements());
            launched.awaiting.keySet().retainAll(launched.placements.stream().map(Placement::node).toList());
            if (launched.placements.isEmpty()) {
                jobs.remove(stop.job());
            }
        }
        LOG.atInfo().addKeyValue("job", stop.job()).addKeyValue("placements", stop.placements().size())
                .addKeyValue("reason", stop.reason()).log("simulated_stop");
    }

    @Override
    public void poll(Instant now, Listener listener) {
        for (Iterator<Map.Entry<String, Launched>> it = jobs.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Launched> entry = it.next();
            String job = entry.getKey();
            Launched launched = entry.getValue();
            if (!launched.awaiting.isEmpty()) {
                String failure = confirm(job, launched);
                if (failure != null) {
                    release(job, launched);
                    it.remove();
                    listener.finished(job, false, failure, now);
                    continue;
                }
                if (!launched.awaiting.isEmpty()) {
                    continue;
                }
                if (launched.ends == null) {
                    launched.ends = now.plus(launched.spec.duration());
                }
                listener.running(job, now);
            }
            if (launched.ends != null && !now.isBefore(launched.ends)) {
                release(job, launched);
                it.remove();
                listener.finished(job, true, "ran for " + HumanDurations.format(launched.spec.duration())
                        + " (simulated backend)", now);
            }
        }
    }

    /**
     * Crosses off the nodes whose agents applied the version carrying the job's allocations.
     *
     * @return why the job cannot start, or null
     */
    private String confirm(String job, Launched launched) {
        for (Iterator<Map.Entry<String, Long>> it = launched.awaiting.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> awaited = it.next();
            Optional<NodeRecord> node = awaited.getValue() < 0 ? Optional.empty() : nodes.node(awaited.getKey());
            if (node.isEmpty()) {
                return "node " + awaited.getKey() + " is not known to the controller";
            }
            if (node.get().appliedVersion() < awaited.getValue()) {
                continue;
            }
            String error = node.get().applyError();
            if (error != null && error.contains(job)) {
                return "the agent of " + awaited.getKey() + " could not start it: " + error;
            }
            it.remove();
        }
        return null;
    }

    /** Adds allocations to a node; returns the desired-state version carrying them, -1 for an unknown node. */
    private long add(String node, List<Allocation> added) {
        return nodes.change(node, current -> {
            List<Allocation> next = new ArrayList<>(current);
            next.addAll(added);
            return next;
        }).map(NodeRecord::version).orElse(-1L);
    }

    private void release(String job, Launched launched) {
        for (String node : byNode(launched.placements).keySet()) {
            nodes.change(node, current -> current.stream().filter(a -> !a.job().equals(job)).toList());
        }
    }

    @Override
    public void adopt(List<JobRecord> holding, Instant now) {
        jobs.clear();
        Map<String, JobRecord> byId = new HashMap<>();
        for (JobRecord job : holding) {
            byId.put(job.id(), job);
        }
        // Drop what no held job claims; keep (with their versions) the allocations that are still held,
        // and those another backend runs (it adopts its own).
        Map<String, List<Allocation>> carried = new HashMap<>();
        for (NodeRecord node : nodes.allocated()) {
            List<Allocation> kept = node.allocations().stream().filter(a -> a.backendJob() != null
                    || byId.containsKey(a.job()) && byId.get(a.job()).placements().stream()
                    .anyMatch(p -> p.node().equals(node.name()) && a.holds(a.job(), p))).toList();
            if (kept.size() != node.allocations().size()) {
                nodes.change(node.name(), current -> current.stream().filter(kept::contains).toList());
            }
            carried.put(node.name(), kept);
        }
        for (JobRecord job : holding) {
            Launched launched = new Launched(job.spec());
            launched.placements.addAll(job.placements());
            for (Map.Entry<String, List<Placement>> node : byNode(job.placements()).entrySet()) {
                List<Allocation> here = carried.getOrDefault(node.getKey(), List.of());
                List<Allocation> missing = node.getValue().stream()
                        .filter(p -> here.stream().noneMatch(a -> a.holds(job.id(), p)))
                        .map(p -> Allocation.of(job.id(), job.spec(), p)).toList();
                long version = missing.isEmpty() ? here.stream().filter(a -> a.job().equals(job.id()))
                        .mapToLong(Allocation::version).max().orElse(0) : add(node.getKey(), missing);
                launched.awaiting.put(node.getKey(), version);
            }
            if (job.state() == JobState.RUNNING) {
                launched.awaiting.clear();
                launched.ends = (job.started() != null ? job.started() : now).plus(job.spec().duration());
            }
            jobs.put(job.id(), launched);
        }
        LOG.atInfo().addKeyValue("jobs", holding.size()).log("simulated_adopted");
    }

    private static Map<String, List<Placement>> byNode(List<Placement> placements) {
        Map<String, List<Placement>> byNode = new LinkedHashMap<>();
        for (Placement placement : placements) {
            byNode.computeIfAbsent(placement.node(), n -> new ArrayList<>()).add(placement);
        }
        return byNode;
    }
}
