package dev.vigil.sim;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.sim.cluster.IdleFit;
import dev.vigil.sim.cluster.IdleFits;
import dev.vigil.sim.cluster.SimCluster;
import dev.vigil.sim.trace.Trace;
import dev.vigil.sim.trace.TraceJob;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The jobs of a trace that a cluster can run, the same input for every scheduler. A job that
 * could not start even on the idle cluster (a model it does not have, a gang larger than its
 * leaves allow) or that names a tenant or priority class the policy lacks would wait forever, and
 * behind it a FIFO queue: it is left out and counted, with the reason.
 *
 * @param jobs    the jobs to replay, in arrival order, each with the fewest leaves it could take
 * @param skipped the trace's rows left out, by reason, and the jobs left out here
 */
public record Workload(List<Entry> jobs, Map<String, Integer> skipped) {
    /** A job to replay, and the fewest leaf switches it could take on the idle cluster. */
    public record Entry(TraceJob job, int fewestLeaves) {
    }

    public Workload {
        jobs = List.copyOf(jobs);
        skipped = Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
    }

    public static Workload of(Trace trace, SimCluster cluster) {
        IdleFits fits = new IdleFits(cluster);
        List<Entry> jobs = new ArrayList<>();
        Map<String, Integer> skipped = new LinkedHashMap<>(trace.skipped());
        for (TraceJob job : trace.jobs()) {
            try {
                cluster.policy().tenant(job.spec().tenant());
                cluster.policy().priorityClass(job.spec().priorityClass());
            } catch (InvalidValueException e) {
                skipped.merge("the scheduler policy refuses it: " + e.getMessage(), 1, Integer::sum);
                continue;
            }
            IdleFit fit = fits.check(job.spec());
            if (fit instanceof IdleFit.Fits room) {
                jobs.add(new Entry(job, room.leaves()));
            } else if (fit instanceof IdleFit.NeverFits never) {
                skipped.merge("never fits this cluster: " + never.why(), 1, Integer::sum);
            }
        }
        return new Workload(jobs, skipped);
    }
}
