package dev.vigil.controller.slurm;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Placement;
import dev.vigil.controller.config.SlurmSettings;
import dev.vigil.slurm.JobRequest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Vigil job's start as a Slurm batch job, and the comment that marks it as Vigil's. A gang is
 * one Slurm job on all its nodes; each replica of a service is a Slurm job of its own.
 *
 * <p>The comment is {@code vigil:<cluster>:<job>/<attempt>} for a gang and {@code
 * vigil:<cluster>:<job>/<attempt>/r<replica>} for a replica ({@code vigil:k3f9xq:j-000042/1}):
 * unique to one launch of one Vigil cluster, so a new leader finds what its predecessor launched,
 * a submit whose answer was lost is looked up rather than sent twice, and another Vigil cluster's
 * jobs (or those of this one before its state was wiped) are never taken for this one's. Slurm
 * jobs without this cluster's mark are someone else's.
 */
final class BatchJobs {
    private static final Pattern COMMENT = Pattern.compile("vigil:([0-9a-z]+):(j-\\d+)/(\\d+)(?:/r(\\d+))?");

    private BatchJobs() {
    }

    static String comment(String cluster, String job, int attempt, Integer replica) {
        return "vigil:" + cluster + ":" + job + "/" + attempt + (replica == null ? "" : "/r" + replica);
    }

    /** Whether a Slurm job's comment is one this Vigil cluster gives its jobs. */
    static boolean ours(String cluster, String comment) {
        Matcher m = comment == null ? null : COMMENT.matcher(comment);
        return m != null && m.matches() && m.group(1).equals(cluster);
    }

    /** Why the slurm backend cannot run a spec, as an {@link InvalidValueException} naming the field; else nothing. */
    static void check(JobSpec spec) {
        InvalidValueException.require(spec.migProfile() == null, "migProfile", spec.migProfile(),
                "nothing on the slurm backend: it runs whole GPUs (Slurm's MIG GRES types are not mapped yet); "
                        + "use backend simulated for MIG slices");
        InvalidValueException.require(!spec.command().isEmpty(), "command", "[]",
                "a command to run, e.g. [python, train.py]: the Slurm batch script runs it");
        InvalidValueException.require(spec.image() == null, "image", spec.image(),
                "nothing on the slurm backend: it runs the command on the nodes, not in a container image");
    }

    /**
     * The batch job of one launch: pinned to exactly the placements' nodes ({@code --nodelist})
     * with their GPU count ({@code --gpus-per-node}), whole nodes exclusive, the tenant's partition
     * and account, the runtime limit as Slurm's time limit, and no requeue by Slurm: after a node
     * failure Vigil places the job again itself, where Slurm would wait for the pinned node.
     *
     * @param wholeNodes whether the placements take every GPU of their nodes
     */
    static JobRequest request(SlurmSettings settings, String job, JobSpec spec, int attempt,
                              List<Placement> placements, boolean wholeNodes, String comment) {
        Integer replica = placements.get(0).replica();
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        env.put("VIGIL_JOB_ID", job);
        env.put("VIGIL_JOB_ATTEMPT", String.valueOf(attempt));
        if (replica != null) {
            env.put("VIGIL_REPLICA", String.valueOf(replica));
        }
        return JobRequest.builder(script(job, spec, placements.size()))
                .name(spec.name())
                .nodes(placements.stream().map(Placement::node).toList())
                .gpusPerNode(placements.get(0).gpus().size())
                .exclusive(wholeNodes)
                .partition(settings.partitionOf(spec.tenant()))
                .account(settings.accountOf(spec.tenant()))
                .comment(comment)
                .timeLimit(spec.runtimeLimit())
                .workingDirectory(settings.workingDirectory())
                .output(settings.output() == null ? null : settings.output().replace("{job}", job))
                .requeue(false)
                .environment(env)
                .build();
    }

    /** The batch script: the command, run as Slurm runs a batch script (on the first node; srun reaches the rest). */
    private static String script(String job, JobSpec spec, int nodes) {
        StringBuilder script = new StringBuilder("#!/bin/bash\n");
        script.append("# Vigil job ").append(job).append(" (").append(spec.name().replaceAll("[\\r\\n]", " "))
                .append("), tenant ").append(spec.tenant()).append(", ").append(nodes).append(" node")
                .append(nodes == 1 ? "" : "s").append("\nexec");
        for (String arg : spec.command()) {
            script.append(' ').append(quote(arg));
        }
        return script.append('\n').toString();
    }

    private static String quote(String arg) {
        return arg.matches("[A-Za-z0-9_./=:,@%+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }
}
