package dev.vigil.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A connection to one Slurm cluster: slurmrestd for everything its API version can do, the
 * Slurm commands on this host for the rest, each fallback said in a log line.
 *
 * <table>
 *   <caption>What goes where</caption>
 *   <tr><th>operation</th><th>v0.0.38 (22.05)</th><th>v0.0.39, v0.0.40</th><th>v0.0.41</th></tr>
 *   <tr><td>submit</td><td>REST</td><td>REST</td><td>REST</td></tr>
 *   <tr><td>submit with maxSwitches</td><td>sbatch</td><td>sbatch</td><td>REST</td></tr>
 *   <tr><td>submit, when REST refuses one of its fields</td><td colspan="3">sbatch</td></tr>
 *   <tr><td>job, jobs, cancel, nodes</td><td colspan="3">REST</td></tr>
 *   <tr><td>drain, resume</td><td>scontrol</td><td colspan="2">REST</td></tr>
 * </table>
 *
 * <p>Thread-safe. Every failure is a {@link SlurmException} with Slurm's own message and the
 * request that caused it.
 */
public final class Slurm {
    private static final Logger LOG = LoggerFactory.getLogger(Slurm.class);

    /** What Vigil puts before a drain reason, so Slurm's admins see who drained the node and why. */
    public static final String REASON_PREFIX = "vigil: ";

    private final SlurmConfig config;
    private final Rest rest;
    private final Commands commands;
    private final ApiVersion version;
    private final String release;

    private Slurm(SlurmConfig config, Rest rest, ApiVersion version, String release) {
        this.config = config;
        this.rest = rest;
        this.commands = new Commands(config.commandEnvironment(), config.timeout());
        this.version = version;
        this.release = release;
    }

    /**
     * Connects: pings slurmrestd at each supported version, newest first, and keeps the first
     * it serves. A token slurmrestd refuses, or no supported version, is an error here.
     */
    public static Slurm connect(SlurmConfig config) throws SlurmException {
        Rest rest = new Rest(config);
        List<String> tried = new ArrayList<>();
        for (ApiVersion candidate : ApiVersion.values()) {
            String path = candidate.base() + "/ping";
            Rest.Reply reply = rest.send("GET", path, null, "GET " + path);
            if (reply.status() == 404) {
                tried.add(candidate.id());
                continue;
            }
            JsonNode body = Rest.check(reply, "GET " + path);
            JsonNode meta = body.path("meta");
            // 22.05 writes meta.Slurm.release, 23.02 and later meta.slurm.release
            String release = Optional.ofNullable(Shapes.text(meta.path("slurm"), "release"))
                    .orElse(Shapes.text(meta.path("Slurm"), "release"));
            LOG.atInfo().addKeyValue("url", config.url()).addKeyValue("api", candidate.id())
                    .addKeyValue("slurm", release).addKeyValue("user", config.user())
                    .addKeyValue("not_served", tried.isEmpty() ? "none" : String.join(",", tried))
                    .log("slurm_connected");
            return new Slurm(config, rest, candidate, release);
        }
        throw new SlurmException("slurmrestd at " + config.url() + " serves none of the API versions this bridge speaks ("
                + String.join(", ", tried) + " all answered 404); Slurm 22.05 to 25.11 serve one of them",
                "GET /slurm/{" + String.join(",", tried) + "}/ping", false);
    }

    /** The API version in use. */
    public ApiVersion apiVersion() {
        return version;
    }

    /** Slurm's release as slurmrestd reported it at connect, e.g. {@code 22.05.8}; null if it did not say. */
    public String release() {
        return release;
    }

    /**
     * Submits a batch job and returns its id. Through slurmrestd, unless the request needs what
     * this API version cannot express ({@code maxSwitches} before v0.0.41) or slurmrestd refuses
     * one of the fields it was sent; then through {@code sbatch}, saying why in a log line.
     */
    public long submit(JobRequest request) throws SlurmException {
        if (request.maxSwitches() != null && !version.requestsSwitches()) {
            return sbatch(request, "slurmrestd " + version.id() + " has no field for --switches");
        }
        String path = version.base() + "/job/submit";
        String what = "POST " + path + " " + describe(request);
        Rest.Reply reply = rest.send("POST", path, Submission.restBody(version, request), what);
        // Slurm's parser names a key it will not take: "Disabled key: \"x\"" or "Unknown key \"x\""
        Optional<String> refused = reply.errors().stream().map(Rest.Error::message)
                .filter(m -> m.matches("(?s).*(Disabled|Unknown) key.*")).findFirst();
        if (refused.isPresent()) {
            return sbatch(request, "slurmrestd " + version.id() + " refused a field: " + refused.get());
        }
        // A job that exists despite errors (pinned to a node drained meanwhile: "Required node not available")
        // comes with its id, as sbatch prints the same words as a warning and submits it
        long taken = reply.status() == 200 ? reply.body().path("job_id").asLong(0) : 0;   // Slurm's ids start at 1
        if (taken > 0 && !reply.errors().isEmpty()) {
            LOG.atWarn().addKeyValue("job", taken).addKeyValue("name", request.name())
                    .addKeyValue("slurm_says", String.join("; ", reply.errors().stream().map(Rest.Error::message)
                            .toList())).log("slurm_submit_warning");
        }
        JsonNode body = taken > 0 ? reply.body() : Rest.check(reply, what);
        long id = body.path("job_id").asLong(-1);
        if (id < 1) {
            throw new SlurmException("slurmrestd accepted the job but gave no job_id: " + body, what, false);
        }
        logSubmitted(id, request, "rest");
        return id;
    }

    private long sbatch(JobRequest request, String why) throws SlurmException {
        LOG.atInfo().addKeyValue("name", request.name()).addKeyValue("reason", why).log("slurm_submit_via_sbatch");
        String out = commands.run(Submission.sbatch(request), request.script(), request.environment());
        // --parsable prints "ID" or "ID;cluster"
        String first = out.strip().split("[;\\s]", 2)[0];
        if (!first.matches("\\d+")) {
            throw new SlurmException("sbatch printed no job id: " + out.strip(),
                    Commands.commandLine(Submission.sbatch(request)), false);
        }
        long id = Long.parseLong(first);
        logSubmitted(id, request, "sbatch");
        return id;
    }

    private static void logSubmitted(long id, JobRequest request, String via) {
        LOG.atInfo().addKeyValue("job", id).addKeyValue("name", request.name())
                .addKeyValue("nodes", request.nodes().isEmpty() ? String.valueOf(request.nodeCount())
                        : String.join(",", request.nodes()))
                .addKeyValue("gpus_per_node", request.gpusPerNode()).addKeyValue("via", via)
                .log("slurm_job_submitted");
    }

    /** A job, or empty when Slurm does not know it (never did, or forgot it after {@code MinJobAge}). */
    public Optional<SlurmJob> job(long id) throws SlurmException {
        String path = version.base() + "/job/" + id;
        Rest.Reply reply = rest.send("GET", path, null, "GET " + path);
        if (unknownJob(reply)) {
            return Optional.empty();
        }
        JsonNode jobs = Rest.check(reply, "GET " + path).path("jobs");
        return jobs.isEmpty() ? Optional.empty() : Optional.of(Shapes.job(jobs.get(0)));
    }

    /** Every job slurmctld knows: pending, running, and finished within {@code MinJobAge}; anyone's. */
    public List<SlurmJob> jobs() throws SlurmException {
        String path = version.base() + "/jobs";
        List<SlurmJob> jobs = new ArrayList<>();
        for (JsonNode job : rest.call("GET", path, null, "GET " + path).path("jobs")) {
            jobs.add(Shapes.job(job));
        }
        return jobs;
    }

    /**
     * Every job slurmctld knows, if any job changed at or after {@code since} (to the second);
     * empty when none did. slurmrestd answers such a question with all jobs, not only the
     * changed ones, or with 304 when nothing changed: a poller that keeps the last list pays
     * almost nothing while the cluster is quiet.
     */
    public Optional<List<SlurmJob>> jobsChangedSince(Instant since) throws SlurmException {
        // slurmctld answers "no change" unless a job changed after update_time, in whole seconds
        String path = version.base() + "/jobs?update_time=" + (since.getEpochSecond() - 1);
        Rest.Reply reply = rest.send("GET", path, null, "GET " + path);
        if (reply.status() == 304) {
            return Optional.empty();
        }
        List<SlurmJob> jobs = new ArrayList<>();
        for (JsonNode job : Rest.check(reply, "GET " + path).path("jobs")) {
            jobs.add(Shapes.job(job));
        }
        return Optional.of(jobs);
    }

    /**
     * Cancels a job (SIGKILL to all its steps, as {@code scancel} does). Cancelling a job that
     * already ended does nothing.
     *
     * @return false when Slurm does not know the job
     */
    public boolean cancel(long id) throws SlurmException {
        String path = version.base() + "/job/" + id;
        Rest.Reply reply = rest.send("DELETE", path, null, "DELETE " + path);
        if (unknownJob(reply)) {
            return false;
        }
        Rest.check(reply, "DELETE " + path);
        LOG.atInfo().addKeyValue("job", id).log("slurm_job_cancelled");
        return true;
    }

    /** Slurm's "Invalid job id specified" (2017): the job is not known. */
    private static boolean unknownJob(Rest.Reply reply) {
        return reply.errors().stream().anyMatch(e -> e.number() == 2017);
    }

    /** Every node with its state, flags, drain reason and GPUs in use. */
    public List<SlurmNode> nodes() throws SlurmException {
        String path = version.base() + "/nodes";
        List<SlurmNode> nodes = new ArrayList<>();
        for (JsonNode node : rest.call("GET", path, null, "GET " + path).path("nodes")) {
            nodes.add(Shapes.node(node));
        }
        return nodes;
    }

    /**
     * Drains a node: no new jobs land there, running ones finish. The reason is recorded with
     * {@value #REASON_PREFIX} in front (unless it starts with it), so {@code sinfo -R} shows who
     * and why. Through {@code scontrol} on 22.05 (its REST cannot change nodes); that needs this
     * host's user to be Slurm's SlurmUser, root or a Slurm operator.
     */
    public void drain(String node, String reason) throws SlurmException {
        String full = reason.startsWith(REASON_PREFIX) ? reason : REASON_PREFIX + reason;
        updateNode(node, "DRAIN", full);
        LOG.atInfo().addKeyValue("node", node).addKeyValue("reason", full).log("slurm_node_drained");
    }

    /** Returns a drained or draining node to service ({@code state=resume}). */
    public void resume(String node) throws SlurmException {
        updateNode(node, "RESUME", null);
        LOG.atInfo().addKeyValue("node", node).log("slurm_node_resumed");
    }

    private void updateNode(String node, String state, String reason) throws SlurmException {
        if (!node.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new SlurmException("\"" + node + "\" is not a node name (letters, digits, '.', '_', '-')",
                    "update node " + node, false);
        }
        if (version.updatesNodes()) {
            String path = version.base() + "/node/" + URLEncoder.encode(node, StandardCharsets.UTF_8);
            ObjectNode body = Rest.JSON.createObjectNode();
            body.putArray("state").add(state);
            if (reason != null) {
                body.put("reason", reason);
                body.put("reason_uid", config.user());
            }
            rest.call("POST", path, body, "POST " + path + " " + body);
            return;
        }
        List<String> argv = new ArrayList<>(Arrays.asList("scontrol", "update", "nodename=" + node,
                "state=" + state.toLowerCase()));
        if (reason != null) {
            argv.add("reason=" + reason);
        }
        commands.run(argv, null, null);
    }

    /** A short description of a request for error messages: its name and where it asked to run. */
    private static String describe(JobRequest request) {
        return "(job \"" + request.name() + "\" on " + (request.nodes().isEmpty() ? request.nodeCount() + " node(s)"
                : String.join(",", request.nodes())) + (request.partition() == null ? "" : " in " + request.partition())
                + ")";
    }
}
