package dev.vigil.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.jobs.JobBatch;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code vigil submit}: queue a job, from a spec file, flags, or both. */
@Command(name = "submit",
        mixinStandardHelpOptions = true,
        description = {
                "Submit a job and print its id.",
                "",
                "A training job is a gang: all its GPUs start together or none do. Size it with --gpus",
                "(up to 8 on one node, or a multiple of 8 for whole nodes) or --nodes and --gpus-per-node.",
                "An inference service is --replicas, each with --gpus-per-node GPUs (default 1) or one",
                "--mig-profile slice; it is inference as soon as it has --replicas or --mig-profile.",
                "",
                "The scheduler orders jobs by priority class, then by tenant fair share, then first come;",
                "quotas are per tenant. --topology asks for GPUs close together: same-node, same-nvlink,",
                "same-leaf (one leaf switch) or max-leaves=N; the job waits until it can be met, or with",
                "--preferred takes what there is. --runtime-limit is how long it may run (backfill plans",
                "with it); --duration is how long it really runs on the simulated backend.",
                "",
                "-f reads a spec in YAML or JSON (the keys of POST /v1/jobs: name, kind, tenant, queue,",
                "priorityClass, preemptible, gpus, nodes, gpusPerNode, models, migProfile, replicas, spread,",
                "topology, runtimeLimit, duration, pool, backend, command, image, env, waitForNodes); flags",
                "given beside it replace its keys. An unknown key or a bad value is refused before anything",
                "is sent.",
                "",
                "A sweep: -f with a file whose key jobs lists specs submits them together, in one request",
                "(POST /v1/jobs:batch, up to 1,000): all are queued, in the file's order, or none is (the",
                "refused one is named by its place, jobs[3].gpus). Flags given beside it replace the keys",
                "of every job; -q prints the ids, one a line.",
                "",
                "-f also takes a Kubernetes manifest (a file with apiVersion): a batch/v1 Job is a training",
                "gang of spec.parallelism pods, an apps/v1 Deployment an inference service of spec.replicas;",
                "the GPUs are the nvidia.com/gpu (or nvidia.com/mig-<profile>) limits of one container.",
                "The controller runs it on its kubernetes backend, each pod made from the manifest's pod",
                "template (volumes, probes, env, ...) with Vigil's scheduler, labels and GPUs; a field it",
                "cannot honour is refused naming it. Tenant and priority class are the manifest's",
                "annotations vigil.dev/tenant and vigil.dev/priority-class; no other flags beside it.",
                "",
                "A job no node the controller knows could ever run (a GPU model, MIG profile or pool the",
                "fleet lacks, a gang larger than the fleet) is refused; --wait-for-nodes queues it anyway,",
                "for nodes that may join. Cordoned, drained and silent nodes count: they may return.",
                "Needs a submitter token (or above). 'vigil why ID' says why a job waits.",
                ""},
        footer = {"", "Examples:",
                "  vigil submit --name llm-pretrain --nodes 2 --gpus-per-node 8 --model H100 --topology same-leaf \\",
                "      --runtime-limit 12h -- torchrun train.py --config llama.yaml",
                "  vigil submit --name chat --replicas 4 --mig-profile 1g.10gb --tenant serving -- python serve.py",
                "  vigil submit --gpus 4 --priority low --preemptible --topology same-nvlink --preferred -- ./sweep.sh",
                "  vigil submit -f job.yaml --tenant research",
                "  vigil submit -f k8s/examples/training-job.yaml",
                "  id=$(vigil submit -q -f job.yaml) && vigil why $id",
                "  vigil submit -f sweep.yaml --tenant research",
                "",
                "job.yaml:",
                "  name: llm-pretrain",
                "  nodes: 4",
                "  gpusPerNode: 8",
                "  models: [H100]",
                "  topology: {level: max-leaves, maxLeaves: 2}",
                "  runtimeLimit: 12h",
                "  command: [torchrun, train.py]",
                "  env: {NCCL_DEBUG: INFO}",
                "",
                "sweep.yaml:",
                "  jobs:",
                "    - {name: lr-1e-3, gpus: 8, command: [python, train.py, --lr, 1e-3]}",
                "    - {name: lr-1e-4, gpus: 8, command: [python, train.py, --lr, 1e-4]}"})
final class SubmitCommand extends ApiCommand {
    /** Spec keys set by options whose names are not {@code --key}. */
    private static final Map<String, String> OPTIONS = Map.of("gpusPerNode", "--gpus-per-node", "models", "--model",
            "migProfile", "--mig-profile", "priorityClass", "--priority", "runtimeLimit", "--runtime-limit",
            "spread", "--no-spread", "topology.maxLeaves", "--topology", "topology.level", "--topology",
            "waitForNodes", "--wait-for-nodes");
    /** A controller's first manifest loads fabric8's Kubernetes model: seconds, on a busy machine many. */
    private static final Duration MANIFEST_TIMEOUT = Duration.ofSeconds(30);
    private static final String TOPOLOGIES = "same-node, same-nvlink, same-leaf or max-leaves=N";

    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "A job spec, or a Kubernetes Job or Deployment manifest, in YAML or JSON.")
    Path file;

    @Option(names = "--name", paramLabel = "NAME", description = "A name for people (default: the kind).")
    String name;

    @Option(names = "--kind", paramLabel = "KIND",
            description = "training (a gang) or inference (replicas); default: inference with --replicas or "
                    + "--mig-profile, else training.")
    String kind;

    @Option(names = "--gpus", paramLabel = "N", description = "GPUs in total (training).")
    Integer gpus;

    @Option(names = "--nodes", paramLabel = "N", description = "Nodes (training).")
    Integer nodes;

    @Option(names = "--gpus-per-node", paramLabel = "N",
            description = "GPUs on each node (training; default 8 with --nodes), or per replica (inference; default 1).")
    Integer gpusPerNode;

    @Option(names = "--model", paramLabel = "MODEL",
            description = "An allowed GPU model, part of the product name, e.g. H100 (repeat for more; default: any).")
    List<String> models;

    @Option(names = "--mig-profile", paramLabel = "PROFILE",
            description = "One MIG slice per replica instead of whole GPUs, e.g. 1g.10gb (inference).")
    String migProfile;

    @Option(names = "--replicas", paramLabel = "N", description = "Replicas of an inference service.")
    Integer replicas;

    @Option(names = "--no-spread", description = "Let replicas share nodes and leaves (default: spread them).")
    boolean noSpread;

    @Option(names = "--tenant", paramLabel = "TENANT", description = "Who pays: quota and fair share (default: default).")
    String tenant;

    @Option(names = "--queue", paramLabel = "QUEUE", description = "The tenant's queue, for people and reports.")
    String queue;

    @Option(names = "--priority", paramLabel = "CLASS",
            description = "A priority class, e.g. low, normal, high (default: the configured default).")
    String priority;

    @Option(names = "--preemptible", description = "A higher-priority job may evict it; it is requeued.")
    boolean preemptible;

    @Option(names = "--topology", paramLabel = "LEVEL",
            description = "same-node, same-nvlink, same-leaf or max-leaves=N (training).")
    String topology;

    @Option(names = "--preferred", description = "With --topology: prefer it, but start without it rather than wait.")
    boolean preferred;

    @Option(names = "--runtime-limit", paramLabel = "DURATION", description = "How long it may run, e.g. 12h (default 24h).")
    String runtimeLimit;

    @Option(names = "--duration", paramLabel = "DURATION",
            description = "Simulated backend: how long it runs, e.g. 30s (default: the runtime limit).")
    String duration;

    @Option(names = "--pool", paramLabel = "POOL", description = "Only nodes of this pool.")
    String pool;

    @Option(names = "--backend", paramLabel = "NAME", description = "The execution backend (default: the configured one).")
    String backend;

    @Option(names = "--image", paramLabel = "IMAGE", description = "A container image, for backends that use one.")
    String image;

    @Option(names = "--env", paramLabel = "NAME=VALUE", description = "An environment variable (repeat for more).")
    Map<String, String> env;

    @Option(names = "--wait-for-nodes",
            description = "Queue it even when no known node could ever run it: wait for nodes that may join.")
    boolean waitForNodes;

    @Option(names = {"-q", "--quiet"}, description = "Print only the job's id.")
    boolean quiet;

    @Parameters(paramLabel = "COMMAND", arity = "0..*",
            description = "What to run, after '--': the command and its arguments.")
    List<String> command;

    /** The spec keys the flags set, for naming the flag of a bad value. */
    private final Map<String, Object> flagged = new LinkedHashMap<>();

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        ControllerClient.Answer answer;
        ObjectNode tree = Documents.yaml().createObjectNode();
        try {
            tree = file == null ? tree : read(file);
            if (tree.has("jobs")) {
                answer = client.post("/v1/jobs:batch", batch(tree));
            } else {
                answer = tree.has("apiVersion") ? client.post("/v1/jobs", manifest(), "application/yaml",
                        MANIFEST_TIMEOUT) : client.post("/v1/jobs", spec(tree));
            }
        } catch (InvalidDocumentException e) {
            throw new ControllerClient.Failure(e.getMessage() + hint(e.field()), ExitCodes.CONFIG, null);
        }
        if (json()) {
            out.println(answer.pretty());
            return;
        }
        if (tree.has("jobs")) {
            printBatch(answer.as(Submitted.class).jobs(), out);
            return;
        }
        JobRecord job = answer.as(JobRecord.class);
        if (quiet) {
            out.println(job.id());
            return;
        }
        out.printf("submitted %s (%s): %s%n", job.id(), job.spec().name(), Table.wire(job.state()));
        out.printf("  vigil job %s     where it runs and its history%n", job.id());
        out.printf("  vigil why %s     why it waits, with the numbers%n", job.id());
    }

    /**
     * A Kubernetes manifest, sent as it is: the controller translates it (a field it cannot honour
     * comes back naming it). Its settings are its own; a flag beside it is refused rather than lost.
     */
    private byte[] manifest() {
        Map<String, Object> flags = flags(true);
        if (preferred) {
            flags.put("preferred", true);
        }
        if (!flags.isEmpty()) {
            String key = flags.keySet().iterator().next();
            throw new InvalidDocumentException("flags", key, String.valueOf(flags.get(key)),
                    "no flags beside a Kubernetes manifest", OPTIONS.getOrDefault(key, "--" + key)
                    + ": not with a Kubernetes manifest ("
                    + file + "); set it in the manifest (tenant and priority class: the annotations vigil.dev/tenant "
                    + "and vigil.dev/priority-class)");
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidDocumentException(file.toString(), "", file.toString(), "a readable file",
                    "cannot read it: " + e.getMessage());
        }
    }

    /** The answer to a batch: its jobs as queued, in the file's order. */
    private record Submitted(List<JobRecord> jobs) {
    }

    private void printBatch(List<JobRecord> jobs, PrintWriter out) {
        if (quiet) {
            jobs.forEach(job -> out.println(job.id()));
            return;
        }
        out.printf("submitted %d job%s together:%n", jobs.size(), jobs.size() == 1 ? "" : "s");
        jobs.forEach(job -> out.printf("  %s (%s): %s%n", job.id(), job.spec().name(), Table.wire(job.state())));
        out.println("  vigil jobs            all of them, with where they run");
    }

    /**
     * A sweep file's jobs (its key {@code jobs}, a list of specs), each with the flags' keys on top,
     * bound strictly: sent together, queued all or none.
     */
    private JobBatch batch(ObjectNode tree) {
        if (tree.get("jobs") instanceof ArrayNode jobs) {
            jobs.forEach(job -> {
                if (job instanceof ObjectNode spec) {
                    withFlags(spec);
                }
            });
        }
        return bind(tree, JobBatch.class);
    }

    /** The spec file's tree (if any) with the flags' keys on top, bound strictly. */
    private JobSpec spec(ObjectNode tree) {
        return bind(withFlags(tree), JobSpec.class);
    }

    private <T> T bind(ObjectNode tree, Class<T> type) {
        String source = (file == null ? "" : file + (flagged.isEmpty() ? "" : " with ")) + (flagged.isEmpty() ? ""
                : "flags");
        try {
            return Documents.readYaml(Documents.yaml().writeValueAsString(tree), type, source);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the job spec", e);
        }
    }

    /** A spec's tree with the flags' keys on top. */
    private ObjectNode withFlags(ObjectNode tree) {
        Map<String, Object> flags = flags(tree.has("kind"));
        flagged.putAll(flags);
        flags.forEach((key, value) -> tree.set(key, Documents.yaml().valueToTree(value)));
        if (preferred && topology == null) {
            if (!(tree.get("topology") instanceof ObjectNode fromFile)) {
                throw new InvalidDocumentException("flags", "topology", null, TOPOLOGIES,
                        "--preferred: only with --topology (or a topology in the spec file)");
            }
            fromFile.put("required", false);
        }
        return tree;
    }

    private static ObjectNode read(Path file) {
        try {
            JsonNode parsed = Documents.yaml().readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (parsed instanceof ObjectNode object) {
                return object;
            }
            throw new InvalidDocumentException(file.toString(), "", null, "a mapping of keys",
                    "the document is not a mapping of keys (see the example in 'vigil submit --help')");
        } catch (NoSuchFileException e) {
            throw new InvalidDocumentException(file.toString(), "", file.toString(), "an existing file",
                    "file not found");
        } catch (JsonProcessingException e) {
            throw new InvalidDocumentException(file.toString(), "", null, "well-formed YAML or JSON",
                    e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidDocumentException(file.toString(), "", file.toString(), "a readable file",
                    "cannot read it: " + e.getMessage());
        }
    }

    /** The spec keys the flags set; a service when it has replicas or a MIG profile and no kind says otherwise. */
    private Map<String, Object> flags(boolean fileHasKind) {
        Map<String, Object> flags = new LinkedHashMap<>();
        put(flags, "name", name);
        put(flags, "kind", kind != null ? kind : !fileHasKind && (replicas != null || migProfile != null)
                ? "inference" : null);
        put(flags, "tenant", tenant);
        put(flags, "queue", queue);
        put(flags, "priorityClass", priority);
        put(flags, "preemptible", preemptible ? true : null);
        put(flags, "gpus", gpus);
        put(flags, "nodes", nodes);
        put(flags, "gpusPerNode", gpusPerNode);
        put(flags, "models", models);
        put(flags, "migProfile", migProfile);
        put(flags, "replicas", replicas);
        put(flags, "spread", noSpread ? false : null);
        put(flags, "topology", topology == null ? null : topology());
        put(flags, "runtimeLimit", runtimeLimit);
        put(flags, "duration", duration);
        put(flags, "pool", pool);
        put(flags, "backend", backend);
        put(flags, "image", image);
        put(flags, "env", env);
        put(flags, "command", command == null || command.isEmpty() ? null : command);
        put(flags, "waitForNodes", waitForNodes ? true : null);
        return flags;
    }

    /** {@code same-leaf} or {@code max-leaves=2}, with {@code --preferred}, as the spec's topology. */
    private Map<String, Object> topology() {
        Map<String, Object> wanted = new LinkedHashMap<>();
        String level = topology;
        int equals = topology.indexOf('=');
        if (equals >= 0) {
            level = topology.substring(0, equals);
            try {
                wanted.put("maxLeaves", Integer.parseInt(topology.substring(equals + 1)));
            } catch (NumberFormatException e) {
                throw new InvalidDocumentException("flags", "topology", topology, TOPOLOGIES,
                        "--topology: \"" + topology + "\" is not allowed (allowed: " + TOPOLOGIES + ")");
            }
        }
        wanted.put("level", level);
        if (preferred) {
            wanted.put("required", false);
        }
        return wanted;
    }

    private static void put(Map<String, Object> flags, String key, Object value) {
        if (value != null) {
            flags.put(key, value);
        }
    }

    /** " (--gpus-per-node)" for an error about a key a flag on this command line set. */
    private String hint(String field) {
        String option = field == null || field.isEmpty() ? null : optionFor(field);
        return option == null || spec.findOption(option) == null ? "" : " (" + option + ")";
    }

    /** The flag that set a key; null for a key the spec file gave (the message names the file's key). */
    @Override
    String optionFor(String field) {
        String key = field.replaceFirst("^jobs\\[\\d+]\\.", "");
        if (!flagged.containsKey(key.split("[.\\[]", 2)[0])) {
            return null;
        }
        return OPTIONS.getOrDefault(key, "--" + key);
    }
}
