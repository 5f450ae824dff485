package dev.vigil.api.jobs;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.binding.TextFields;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a user asks to run.
 *
 * <p>Sizes: a training job gives {@code gpus} (up to one node's worth, or a multiple of
 * {@code gpusPerNode}) or {@code nodes} × {@code gpusPerNode}; an inference service gives
 * {@code replicas}, each with {@code gpusPerNode} GPUs (default 1) or one {@code migProfile} slice.
 *
 * @param name          a name for people
 * @param kind          training (a gang) or inference (replicas)
 * @param tenant        who pays: quota and fair share are per tenant
 * @param queue         the tenant's queue, for people and reports
 * @param priorityClass a configured priority class (default: the configured default)
 * @param preemptible   whether a higher-priority job may evict it (requeued with the reason)
 * @param gpus          GPUs in total (training)
 * @param nodes         nodes (training)
 * @param gpusPerNode   GPUs on each node (training), or per replica (inference)
 * @param models        allowed GPU models, e.g. {@code [H100]} (absent: any); matched as a substring of the product name
 * @param migProfile    a MIG slice instead of whole GPUs, e.g. {@code 1g.10gb} (inference)
 * @param replicas      replicas (inference)
 * @param spread        spread replicas over nodes and leaves (inference; default true)
 * @param topology      how close the GPUs must or should be (training)
 * @param runtimeLimit  how long it may run; backfill plans with it (default 24h)
 * @param duration      for the simulated backend: how long it really runs (default: its runtime limit)
 * @param pool          only nodes of this pool
 * @param backend       which execution backend runs it (default: the configured one)
 * @param command       what to run
 * @param image         a container image, for backends that use one
 * @param env           environment variables
 * @param waitForNodes  accept it even when no node the controller knows could ever run it, and let it wait
 *                      for nodes that may join (default false: such a job is refused at submit)
 * @param maxRetries    how often a job an application XID ended (the code faulted, not the GPU) is requeued
 *                      instead of failing (default 0); a job that lost its GPU to a hardware fault is always requeued
 * @param podTemplate   for the {@code kubernetes} backend: the pod template (a core/v1 PodTemplateSpec as JSON) that
 *                      a submitted Job or Deployment manifest gave, kept with the job so any leader makes the same
 *                      pods; absent: pods are made from {@code image}, {@code command} and {@code env}
 */
public record JobSpec(String name, JobKind kind, String tenant, String queue, String priorityClass, Boolean preemptible,
                      Integer gpus, Integer nodes, Integer gpusPerNode, List<String> models, String migProfile,
                      Integer replicas, Boolean spread, Topology topology, Duration runtimeLimit, Duration duration,
                      String pool, String backend, List<String> command, String image, Map<String, String> env,
                      Boolean waitForNodes, Integer maxRetries, String podTemplate) {

    /** The largest node Vigil places whole-node work on: an HGX/DGX board. */
    public static final int MAX_GPUS_PER_NODE = 8;
    /** Bounds of the text fields (docs/jobs.md lists them). */
    static final int MAX_NAME = 128;
    static final int MAX_MODELS = 16;
    static final int MAX_MODEL = 64;
    static final int MAX_IMAGE = 512;
    static final int MAX_ARGS = 1024;
    static final int MAX_ENV = 256;
    static final int MAX_VALUE = 16_384;
    static final int MAX_RETRIES = 100;
    /** A pod template as JSON: room for many volumes, probes and env, well under a stored record's limit. */
    static final int MAX_POD_TEMPLATE = 256 * 1024;
    /** The one backend that runs pods from a template (the controller's BackendName.KUBERNETES). */
    private static final String POD_BACKEND = "kubernetes";
    private static final String ENV_NAME = "[A-Za-z_][A-Za-z0-9_]{0,127}";

    public JobSpec {
        kind = kind == null ? JobKind.TRAINING : kind;
        name = name == null ? kind.name().toLowerCase() : TextFields.line(name, "name", MAX_NAME);
        tenant = tenant == null ? "default" : TextFields.identifier(tenant, "tenant");
        queue = queue == null ? "default" : TextFields.identifier(queue, "queue");
        TextFields.identifier(priorityClass, "priorityClass");
        TextFields.identifier(pool, "pool");
        TextFields.identifier(backend, "backend");
        TextFields.line(image, "image", MAX_IMAGE);
        TextFields.text(podTemplate, "podTemplate", MAX_POD_TEMPLATE);
        InvalidValueException.require(podTemplate == null || POD_BACKEND.equals(backend), "backend", backend,
                POD_BACKEND + " with a podTemplate (another backend would ignore it)");
        preemptible = preemptible != null && preemptible;
        waitForNodes = waitForNodes != null && waitForNodes;
        maxRetries = maxRetries == null ? 0 : maxRetries;
        InvalidValueException.require(maxRetries >= 0 && maxRetries <= MAX_RETRIES, "maxRetries", maxRetries,
                "0 to " + MAX_RETRIES);
        models = models == null ? List.of() : List.copyOf(TextFields.list(models, "models", MAX_MODELS));
        for (int i = 0; i < models.size(); i++) {
            TextFields.line(models.get(i), "models[" + i + "]", MAX_MODEL);
        }
        spread = spread == null || spread;
        runtimeLimit = runtimeLimit == null ? Duration.ofHours(24) : runtimeLimit;
        InvalidValueException.require(!runtimeLimit.isNegative() && !runtimeLimit.isZero(), "runtimeLimit",
                runtimeLimit, "a positive duration, e.g. 2h");
        duration = duration == null ? runtimeLimit : duration;
        InvalidValueException.require(!duration.isNegative(), "duration", duration, "a duration, e.g. 30m");
        command = command == null ? List.of() : List.copyOf(TextFields.list(command, "command", MAX_ARGS));
        for (int i = 0; i < command.size(); i++) {
            TextFields.text(command.get(i), "command[" + i + "]", MAX_VALUE);
        }
        env = env == null ? Map.of() : Map.copyOf(TextFields.map(env, "env", MAX_ENV));
        env.forEach((key, value) -> {
            InvalidValueException.require(key.matches(ENV_NAME), "env", key,
                    "variable names of letters, digits and '_', not starting with a digit, up to 128 characters");
            TextFields.text(value, "env." + key, MAX_VALUE);
        });
        if (kind == JobKind.TRAINING) {
            InvalidValueException.require(migProfile == null, "migProfile", migProfile,
                    "only for inference services (a training gang takes whole GPUs)");
            InvalidValueException.require(replicas == null, "replicas", replicas, "only for inference services");
            int[] shape = trainingShape(gpus, nodes, gpusPerNode);
            nodes = shape[0];
            gpusPerNode = shape[1];
            gpus = shape[0] * shape[1];
        } else {
            InvalidValueException.require(topology == null, "topology", "(a topology)",
                    "only for training gangs (inference replicas spread instead)");
            InvalidValueException.require(gpus == null && nodes == null, gpus != null ? "gpus" : "nodes",
                    gpus != null ? gpus : nodes, "replicas and gpusPerNode (or migProfile) for an inference service");
            replicas = replicas == null ? 1 : replicas;
            InvalidValueException.require(replicas >= 1 && replicas <= 10_000, "replicas", replicas, "1 to 10000");
            if (migProfile != null) {
                InvalidValueException.require(gpusPerNode == null, "gpusPerNode", gpusPerNode,
                        "nothing with migProfile (each replica takes one slice)");
                InvalidValueException.require(migProfile.matches("\\d{1,2}g\\.\\d{1,4}gb(\\+me)?"), "migProfile",
                        migProfile.length() > 32 ? migProfile.substring(0, 29) + "..." : migProfile,
                        "a MIG profile such as 1g.10gb, 3g.40gb or 1g.10gb+me");
            } else {
                gpusPerNode = gpusPerNode == null ? 1 : gpusPerNode;
                InvalidValueException.require(gpusPerNode >= 1 && gpusPerNode <= MAX_GPUS_PER_NODE, "gpusPerNode",
                        gpusPerNode, "1 to " + MAX_GPUS_PER_NODE);
            }
        }
    }

    /** A spec that does not wait for nodes that may join (traces, tests). */
    public JobSpec(String name, JobKind kind, String tenant, String queue, String priorityClass, Boolean preemptible,
                   Integer gpus, Integer nodes, Integer gpusPerNode, List<String> models, String migProfile,
                   Integer replicas, Boolean spread, Topology topology, Duration runtimeLimit, Duration duration,
                   String pool, String backend, List<String> command, String image, Map<String, String> env) {
        this(name, kind, tenant, queue, priorityClass, preemptible, gpus, nodes, gpusPerNode, models, migProfile,
                replicas, spread, topology, runtimeLimit, duration, pool, backend, command, image, env, null, null, null);
    }

    /** This spec naming {@code name} as its priority class: what a job got when it named none (the default). */
    public JobSpec withPriorityClass(String name) {
        return new JobSpec(this.name, kind, tenant, queue, name, preemptible, gpus, nodes, gpusPerNode, models,
                migProfile, replicas, spread, topology, runtimeLimit, duration, pool, backend, command, image, env,
                waitForNodes, maxRetries, podTemplate);
    }

    /** nodes × GPUs per node from whichever sizes were given. */
    private static int[] trainingShape(Integer gpus, Integer nodes, Integer gpusPerNode) {
        if (nodes != null || gpusPerNode != null) {
            int n = nodes == null ? 1 : nodes;
            int g = gpusPerNode == null ? MAX_GPUS_PER_NODE : gpusPerNode;
            InvalidValueException.require(n >= 1 && n <= 4096, "nodes", n, "1 to 4096");
            InvalidValueException.require(g >= 1 && g <= MAX_GPUS_PER_NODE, "gpusPerNode", g, "1 to " + MAX_GPUS_PER_NODE);
            InvalidValueException.require(gpus == null || gpus == n * g, "gpus", gpus,
                    "nodes × gpusPerNode = " + n * g + ", or leave it out");
            return new int[]{n, g};
        }
        InvalidValueException.required(gpus, "gpus", "how many GPUs (or nodes and gpusPerNode)");
        InvalidValueException.require(gpus >= 1, "gpus", gpus, "1 or more");
        if (gpus <= MAX_GPUS_PER_NODE) {
            return new int[]{1, gpus};
        }
        InvalidValueException.require(gpus % MAX_GPUS_PER_NODE == 0, "gpus", gpus, "up to " + MAX_GPUS_PER_NODE
                + " on one node, a multiple of " + MAX_GPUS_PER_NODE + " for whole nodes, or nodes and gpusPerNode");
        return new int[]{gpus / MAX_GPUS_PER_NODE, MAX_GPUS_PER_NODE};
    }

    /** GPUs (or MIG slices) the whole job holds when it runs. */
    public int totalGpus() {
        return kind == JobKind.TRAINING ? gpus : replicas * (migProfile != null ? 1 : gpusPerNode);
    }
}
