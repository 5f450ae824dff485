package dev.vigil.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.cluster.Hostlist;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads slurmrestd's job and node objects. One reader serves every supported version: the
 * fields the bridge uses kept their names from v0.0.38 to v0.0.41 and changed only in shape
 * (a state word became a list of words, a number became {@code {set, infinite, number}}), and
 * the reader takes either.
 */
final class Shapes {
    private Shapes() {
    }

    static SlurmJob job(JsonNode job) {
        List<String> words = words(job.path("job_state"));
        JobState state = JobState.of(words);
        List<String> nodes = state == JobState.PENDING ? List.of()
                : Hostlist.expand(text(job, "nodes"), "job " + job.path("job_id") + " nodes");
        List<SlurmJob.NodeGpus> gpus = new ArrayList<>();
        JsonNode detail = job.path("gres_detail");
        for (int i = 0; i < nodes.size() && i < detail.size(); i++) {
            List<Integer> indices = Gres.indices(detail.get(i).asText());
            if (!indices.isEmpty()) {
                gpus.add(new SlurmJob.NodeGpus(nodes.get(i), indices));
            }
        }
        Long started = number(job.path("start_time"));
        Long ended = number(job.path("end_time"));
        return new SlurmJob(number(job.path("job_id")), text(job, "name"), text(job, "user_name"),
                text(job, "account"), text(job, "partition"), text(job, "comment"), state,
                String.join("+", words), reason(job), nodes, gpus, instant(number(job.path("submit_time"))),
                state == JobState.PENDING ? null : instant(started),
                state.finished() ? instant(ended) : null,
                // COMPLETING: the processes exited (the epilog runs), so their status is known
                state.finished() || state == JobState.COMPLETING ? exitCode(job.path("exit_code")) : null);
    }

    static SlurmNode node(JsonNode node) {
        // 22.05: "state": "mixed", "state_flags": ["DRAIN"]; 23.02+: "state": ["MIXED", "DRAIN"]
        List<String> words = words(node.path("state"));
        words.addAll(words(node.path("state_flags")));
        NodeState state = NodeState.UNKNOWN;
        Set<String> flags = new LinkedHashSet<>();
        for (String word : words) {
            if (state == NodeState.UNKNOWN && NodeState.isBase(word)) {
                state = NodeState.of(word);
            } else {
                flags.add(word);
            }
        }
        Gres.Configured gres = Gres.configured(text(node, "gres"));
        Long reasonAt = number(node.path("reason_changed_at"));
        return new SlurmNode(text(node, "name"), state, flags, text(node, "reason"), text(node, "reason_set_by_user"),
                instant(reasonAt), gres.type(), gres.count(), Gres.indices(text(node, "gres_used")),
                (int) orZero(number(node.path("cpus"))), (int) orZero(number(node.path("alloc_cpus"))),
                list(node.path("partitions")));
    }

    /** Slurm's reason for a pending or failed job, with its description when it gives one. */
    private static String reason(JsonNode job) {
        String reason = text(job, "state_reason");
        String description = text(job, "state_description");
        if (reason == null || "None".equals(reason)) {
            return description;
        }
        return description == null ? reason : reason + ": " + description;
    }

    /**
     * The exit status as a shell shows it: the code, or 128 + N when signal N ended the job.
     * 22.05 gives the raw wait status (exit 3 is 768, SIGKILL is 9); 23.02 and later an object
     * with {@code return_code} and {@code signal}.
     */
    static Integer exitCode(JsonNode code) {
        if (code.isObject()) {
            Long signal = number(code.path("signal").path("id"));
            if (signal != null && signal > 0) {
                return 128 + signal.intValue();
            }
            Long value = number(code.path("return_code"));
            return value == null ? null : value.intValue();
        }
        Long status = number(code);
        if (status == null) {
            return null;
        }
        int raw = status.intValue();
        return (raw & 0x7f) != 0 ? 128 + (raw & 0x7f) : (raw >> 8) & 0xff;
    }

    /** Upper-case words from a string or a list of strings. */
    static List<String> words(JsonNode value) {
        List<String> words = new ArrayList<>();
        if (value.isTextual() && !value.asText().isBlank()) {
            words.add(value.asText().toUpperCase(Locale.ROOT));
        } else if (value.isArray()) {
            value.forEach(word -> words.add(word.asText().toUpperCase(Locale.ROOT)));
        }
        return words;
    }

    /** A list of strings from a JSON list or a comma-separated string. */
    private static List<String> list(JsonNode value) {
        List<String> items = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(item -> items.add(item.asText()));
        } else if (value.isTextual() && !value.asText().isBlank()) {
            items.addAll(List.of(value.asText().split(",")));
        }
        return items;
    }

    /** A string field, null when missing, null or empty. */
    static String text(JsonNode object, String field) {
        JsonNode value = object.path(field);
        return value.isValueNode() && !value.isNull() && !value.asText().isEmpty() ? value.asText() : null;
    }

    /** A number, or an unset/infinite {@code {set, infinite, number}} as null. */
    static Long number(JsonNode value) {
        if (value.isObject()) {
            return value.path("set").asBoolean(false) && !value.path("infinite").asBoolean(false)
                    ? value.path("number").asLong() : null;
        }
        return value.isNumber() ? value.asLong() : null;
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    /** A UNIX time; Slurm writes 0 for never. */
    private static Instant instant(Long epochSeconds) {
        return epochSeconds == null || epochSeconds <= 0 ? null : Instant.ofEpochSecond(epochSeconds);
    }
}
