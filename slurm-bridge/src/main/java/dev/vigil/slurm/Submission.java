package dev.vigil.slurm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/** A {@link JobRequest} as a slurmrestd submit body for one API version, or as sbatch's options. */
final class Submission {
    private Submission() {
    }

    /** The body of {@code POST /slurm/VERSION/job/submit}. */
    static ObjectNode restBody(ApiVersion version, JobRequest request) {
        ObjectNode body = Rest.JSON.createObjectNode();
        ObjectNode job = body.putObject("job");
        job.put("name", request.name());
        putIfSet(job, "partition", request.partition());
        putIfSet(job, "account", request.account());
        putIfSet(job, "comment", request.comment());
        job.put("current_working_directory", request.workingDirectory());
        putIfSet(job, "standard_output", request.output());
        if (request.requeue() != null) {
            // 22.05 takes sbatch's option names: "requeue": false is read as --requeue and ignored
            if (version.dataParser() || request.requeue()) {
                job.put("requeue", request.requeue());
            } else {
                job.put("no_requeue", true);
            }
        }
        if (version.dataParser()) {
            job.put("minimum_nodes", request.nodeCount());
            job.put("maximum_nodes", request.nodeCount());
            if (!request.nodes().isEmpty()) {
                job.put("required_nodes", String.join(",", request.nodes()));
            }
            if (request.gpusPerNode() > 0) {
                job.put("tres_per_node", "gres/gpu:" + request.gpusPerNode());
            }
            if (request.exclusive()) {
                // 23.11 deprecated "exclusive" for "shared"; v0.0.41 takes both, the older ones only "exclusive"
                job.putArray(version == ApiVersion.V0_0_41 ? "shared" : "exclusive")
                        .add(version == ApiVersion.V0_0_41 ? "none" : "true");
            }
            if (request.timeLimitMinutes() != null) {
                job.putObject("time_limit").put("set", true).put("infinite", false)
                        .put("number", request.timeLimitMinutes());
            }
            if (request.maxSwitches() != null) {
                job.put("required_switches", request.maxSwitches());
                if (request.switchWait() != null) {
                    job.put("wait_for_switch", request.switchWait().toSeconds());
                }
            }
            ArrayNode environment = job.putArray("environment");
            request.environment().forEach((key, value) -> environment.add(key + "=" + value));
        } else {
            job.putArray("nodes").add(request.nodeCount()).add(request.nodeCount());
            if (!request.nodes().isEmpty()) {
                // "nodelist" is what 22.05's parser maps to the required node list ("required_nodes" is disabled there)
                job.put("nodelist", String.join(",", request.nodes()));
            }
            if (request.gpusPerNode() > 0) {
                job.put("gpus_per_node", String.valueOf(request.gpusPerNode()));
            }
            if (request.exclusive()) {
                job.put("exclusive", "exclusive");   // 22.05 reads it like sbatch's --exclusive[=user|mcs]; "true" is refused
            }
            if (request.timeLimitMinutes() != null) {
                job.put("time_limit", request.timeLimitMinutes());
            }
            ObjectNode environment = job.putObject("environment");
            request.environment().forEach(environment::put);
        }
        (version.scriptInJob() ? job : body).put("script", request.script());
        return body;
    }

    /** sbatch's arguments for the request; the script goes on stdin and the environment is the process's. */
    static List<String> sbatch(JobRequest request) {
        List<String> args = new ArrayList<>(List.of("sbatch", "--parsable", "--export=ALL",
                "--job-name=" + request.name(), "--nodes=" + request.nodeCount(),
                "--chdir=" + request.workingDirectory()));
        if (!request.nodes().isEmpty()) {
            args.add("--nodelist=" + String.join(",", request.nodes()));
        }
        if (request.gpusPerNode() > 0) {
            args.add("--gpus-per-node=" + request.gpusPerNode());
        }
        if (request.exclusive()) {
            args.add("--exclusive");
        }
        if (request.maxSwitches() != null) {
            String wait = request.switchWait() == null ? ""
                    : "@" + request.switchWait().toMinutes() + ":" + String.format("%02d", request.switchWait().toSecondsPart());
            args.add("--switches=" + request.maxSwitches() + wait);
        }
        addIfSet(args, "--partition=", request.partition());
        addIfSet(args, "--account=", request.account());
        addIfSet(args, "--comment=", request.comment());
        addIfSet(args, "--time=", request.timeLimitMinutes());
        addIfSet(args, "--output=", request.output());
        if (request.requeue() != null) {
            args.add(request.requeue() ? "--requeue" : "--no-requeue");
        }
        return args;
    }

    private static void putIfSet(ObjectNode object, String field, String value) {
        if (value != null) {
            object.put(field, value);
        }
    }

    private static void addIfSet(List<String> args, String option, Object value) {
        if (value != null) {
            args.add(option + value);
        }
    }
}
