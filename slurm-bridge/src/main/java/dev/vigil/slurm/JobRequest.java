package dev.vigil.slurm;

import dev.vigil.api.binding.InvalidValueException;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch job to submit: exact nodes (or a node count) and GPUs per node, as {@code sbatch}
 * would take them. Build one with {@link #builder(String)}; a bad value is an
 * {@link InvalidValueException} naming the field, the value and what is allowed.
 *
 * @param name             the job name
 * @param script           the batch script, starting with {@code #!}
 * @param nodes            the exact nodes to run on ({@code --nodelist}); empty: Slurm picks
 * @param nodeCount        how many nodes ({@code --nodes}); the number of {@code nodes} when they are given
 * @param gpusPerNode      GPUs on each node ({@code --gpus-per-node}); 0 for none
 * @param exclusive        whole nodes, shared with no other job ({@code --exclusive})
 * @param maxSwitches      at most this many leaf switches ({@code --switches}), or null
 * @param switchWait       how long to wait for that before taking more switches, or null for
 *                         Slurm's {@code max_switch_wait} (300 s unless configured)
 * @param partition        the partition, or null for the default one
 * @param account          the account, or null for the user's default
 * @param comment          a comment kept with the job (Vigil puts its own job id here), or null
 * @param timeLimit        the time limit (whole minutes, rounded up), or null for the partition's
 * @param workingDirectory an absolute path on the nodes where the script starts
 * @param output           where stdout and stderr go ({@code %j} is the job id), or null for
 *                         {@code slurm-%j.out} in the working directory
 * @param environment      the job's whole environment; {@code PATH} is added when missing
 * @param requeue          whether Slurm may requeue the job after a node failure ({@code --requeue} /
 *                         {@code --no-requeue}), or null for the cluster's {@code JobRequeue}
 */
public record JobRequest(String name, String script, List<String> nodes, int nodeCount, int gpusPerNode,
                         boolean exclusive, Integer maxSwitches, Duration switchWait, String partition, String account,
                         String comment, Duration timeLimit, String workingDirectory, String output,
                         Map<String, String> environment, Boolean requeue) {
    /** The PATH a job gets when its environment does not give one. */
    public static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]*";

    public JobRequest {
        InvalidValueException.require(name != null && !name.isBlank() && name.length() <= 128
                && name.chars().noneMatch(Character::isISOControl), "name", name,
                "1 to 128 characters on one line");
        InvalidValueException.require(script != null && script.startsWith("#!"), "script",
                script == null ? null : firstLine(script), "a batch script starting with #!, e.g. #!/bin/bash");
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        for (int i = 0; i < nodes.size(); i++) {
            InvalidValueException.require(nodes.get(i) != null && nodes.get(i).matches(NAME), "nodes[" + i + "]",
                    nodes.get(i), "a node name, e.g. gpu01 (one per entry, no ranges)");
        }
        InvalidValueException.require(nodes.stream().distinct().count() == nodes.size(), "nodes", nodes,
                "each node once");
        if (nodeCount == 0) {
            nodeCount = Math.max(1, nodes.size());
        }
        InvalidValueException.require(nodeCount >= 1 && (nodes.isEmpty() || nodeCount == nodes.size()), "nodeCount",
                nodeCount, nodes.isEmpty() ? "1 or more" : "the number of nodes given (" + nodes.size() + ")");
        InvalidValueException.require(gpusPerNode >= 0 && gpusPerNode <= 64, "gpusPerNode", gpusPerNode, "0 to 64");
        InvalidValueException.require(maxSwitches == null || maxSwitches >= 1, "maxSwitches", maxSwitches,
                "1 or more leaf switches");
        InvalidValueException.require(switchWait == null || maxSwitches != null, "switchWait", switchWait,
                "only together with maxSwitches");
        InvalidValueException.require(switchWait == null || !switchWait.isNegative(), "switchWait", switchWait,
                "a duration, e.g. 5m");
        InvalidValueException.require(partition == null || partition.matches(NAME), "partition", partition,
                "a partition name");
        InvalidValueException.require(account == null || account.matches(NAME), "account", account,
                "an account name");
        InvalidValueException.require(comment == null || comment.chars().noneMatch(Character::isISOControl),
                "comment", comment, "text on one line");
        InvalidValueException.require(timeLimit == null || (!timeLimit.isNegative() && !timeLimit.isZero()),
                "timeLimit", timeLimit, "a positive duration, e.g. 2h");
        InvalidValueException.require(workingDirectory != null && workingDirectory.startsWith("/"),
                "workingDirectory", workingDirectory, "an absolute path on the nodes, e.g. /home/alice/run-7");
        InvalidValueException.require(output == null || (!output.isBlank() && output.chars().noneMatch(Character::isISOControl)),
                "output", output, "a file path, e.g. /home/alice/run-7/%j.out");
        Map<String, String> env = new LinkedHashMap<>();
        if (environment != null) {
            environment.forEach((key, value) -> {
                InvalidValueException.require(key != null && key.matches("[A-Za-z_][A-Za-z0-9_]*"), "environment", key,
                        "variable names of letters, digits and _, not starting with a digit");
                InvalidValueException.require(value != null && value.indexOf('\0') < 0, "environment." + key, value,
                        "a value without NUL characters");
                env.put(key, value);
            });
        }
        env.putIfAbsent("PATH", DEFAULT_PATH);
        environment = Collections.unmodifiableMap(env);
    }

    /** The time limit in whole minutes, rounded up; null when none is asked for. */
    Integer timeLimitMinutes() {
        return timeLimit == null ? null : (int) ((timeLimit.toSeconds() + 59) / 60);
    }

    private static String firstLine(String script) {
        int end = script.indexOf('\n');
        return end < 0 ? script : script.substring(0, end);
    }

    /** Starts a request for this batch script; the working directory is required too. */
    public static Builder builder(String script) {
        return new Builder(script);
    }

    /** Builds a {@link JobRequest}; {@link #build()} checks every value. */
    public static final class Builder {
        private final String script;
        private String name = "vigil";
        private List<String> nodes = List.of();
        private int nodeCount;
        private int gpusPerNode;
        private boolean exclusive;
        private Integer maxSwitches;
        private Duration switchWait;
        private String partition;
        private String account;
        private String comment;
        private Duration timeLimit;
        private String workingDirectory;
        private String output;
        private Boolean requeue;
        private final Map<String, String> environment = new LinkedHashMap<>();

        private Builder(String script) {
            this.script = script;
        }

        public Builder name(String value) {
            name = value;
            return this;
        }

        /** Exactly these nodes. */
        public Builder nodes(List<String> value) {
            nodes = value;
            return this;
        }

        /** This many nodes, where Slurm likes. */
        public Builder nodeCount(int value) {
            nodeCount = value;
            return this;
        }

        public Builder gpusPerNode(int value) {
            gpusPerNode = value;
            return this;
        }

        public Builder exclusive(boolean value) {
            exclusive = value;
            return this;
        }

        /** At most this many leaf switches, waiting up to {@code wait} (null: Slurm's default) for them. */
        public Builder maxSwitches(int value, Duration wait) {
            maxSwitches = value;
            switchWait = wait;
            return this;
        }

        public Builder partition(String value) {
            partition = value;
            return this;
        }

        public Builder account(String value) {
            account = value;
            return this;
        }

        public Builder comment(String value) {
            comment = value;
            return this;
        }

        public Builder timeLimit(Duration value) {
            timeLimit = value;
            return this;
        }

        public Builder workingDirectory(String value) {
            workingDirectory = value;
            return this;
        }

        public Builder output(String value) {
            output = value;
            return this;
        }

        /** Whether Slurm may requeue the job after a node failure (default: the cluster's JobRequeue). */
        public Builder requeue(boolean value) {
            requeue = value;
            return this;
        }

        /** Adds these variables to the job's environment. */
        public Builder environment(Map<String, String> values) {
            environment.putAll(values);
            return this;
        }

        public JobRequest build() {
            return new JobRequest(name, script, nodes, nodeCount, gpusPerNode, exclusive, maxSwitches, switchWait,
                    partition, account, comment, timeLimit, workingDirectory, output, environment, requeue);
        }
    }
}
