package dev.vigil.controller.kubernetes;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.controller.config.BackendName;
import dev.vigil.k8s.JobAnnotations;
import dev.vigil.k8s.NodeSelection;
import dev.vigil.k8s.UnclaimedPod;
import dev.vigil.k8s.VigilLabels;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * How pods others made for Vigil ({@code schedulerName: vigil}) become Vigil jobs. The pods of a
 * gang share the annotation {@value VigilLabels#GANG} within a namespace and become one training
 * job once {@value VigilLabels#GANG_SIZE} of them exist; a pod without it is a job of its own (a
 * MIG slice: an inference service of one replica). A pod whose annotations or GPU requests Vigil
 * cannot read is refused with a message naming the annotation, its value and what is allowed.
 */
final class PodClaims {
    /** Where a spec's field came from on the pod: its annotation, or its GPU limits. */
    private static final Map<String, String> ANNOTATION_OF = Map.of(
            "tenant", VigilLabels.TENANT, "priorityClass", VigilLabels.PRIORITY_CLASS, "queue", VigilLabels.QUEUE,
            "topology", VigilLabels.TOPOLOGY, "level", VigilLabels.TOPOLOGY, "maxLeaves", VigilLabels.TOPOLOGY,
            "nodes", VigilLabels.GANG_SIZE, "gpusPerNode", "resources.limits." + VigilLabels.GPU_RESOURCE,
            "gpus", "resources.limits." + VigilLabels.GPU_RESOURCE, "migProfile", "resources.limits");
    private static final String GPUS = VigilLabels.GPU_RESOURCE + ": N (whole GPUs) or one "
            + VigilLabels.MIG_RESOURCE_PREFIX + "<profile>: 1 (a MIG slice, e.g. "
            + VigilLabels.MIG_RESOURCE_PREFIX + "1g.10gb)";

    /** A gang whose pods all exist, and the job it is; {@code pods} in the order of the job's placements. */
    record Gang(String namespace, String name, List<UnclaimedPod> pods, JobSpec spec) {
    }

    /** A pod Vigil will not schedule, and why. */
    record Refusal(UnclaimedPod pod, String message) {
    }

    /** The gangs ready to be jobs and the pods refused; pods of gangs still short of their size are in neither. */
    record Sorted(List<Gang> gangs, List<Refusal> refused) {
    }

    private PodClaims() {
    }

    static Sorted sort(List<UnclaimedPod> pods) {
        List<Refusal> refused = new ArrayList<>();
        Map<String, List<UnclaimedPod>> gangs = new LinkedHashMap<>();
        for (UnclaimedPod pod : pods) {
            String gang = pod.annotations().get(VigilLabels.GANG);
            gangs.computeIfAbsent(pod.namespace() + "/" + (gang == null ? "pod " + pod.name() : gang),
                    k -> new ArrayList<>()).add(pod);
        }
        List<Gang> ready = new ArrayList<>();
        for (List<UnclaimedPod> members : gangs.values()) {
            members.sort(Comparator.comparing(UnclaimedPod::name));
            try {
                Gang gang = gang(members);
                if (gang != null) {
                    ready.add(gang);
                }
            } catch (InvalidValueException e) {
                members.forEach(pod -> refused.add(new Refusal(pod, e.getMessage())));
            }
        }
        return new Sorted(ready, refused);
    }

    /** The gang's job, or null while fewer pods than its size exist. */
    private static Gang gang(List<UnclaimedPod> pods) {
        UnclaimedPod first = pods.get(0);
        String gangName = first.annotations().get(VigilLabels.GANG);
        for (String key : List.of(VigilLabels.GANG_SIZE, VigilLabels.TENANT, VigilLabels.PRIORITY_CLASS,
                VigilLabels.TOPOLOGY, VigilLabels.QUEUE, VigilLabels.PREEMPTIBLE)) {
            TreeSet<String> values = new TreeSet<>(Comparator.nullsFirst(Comparator.naturalOrder()));
            pods.forEach(p -> values.add(p.annotations().get(key)));
            InvalidValueException.require(values.size() == 1, key, String.join(", ", values.stream()
                    .map(String::valueOf).toList()), "one value for every pod of gang " + gangName);
        }
        for (UnclaimedPod pod : pods) {
            InvalidValueException.require(Objects.equals(pod.nodeConstraints(), first.nodeConstraints()),
                    "nodeSelector/affinity", pod.name() + ": " + describe(pod), "the same nodeSelector and required "
                            + "node affinity for every pod of gang " + gangName + " (" + first.name() + ": "
                            + describe(first) + ")");
        }
        Map.Entry<String, Integer> gpus = gpus(first);
        for (UnclaimedPod pod : pods) {
            InvalidValueException.require(gpus(pod).equals(gpus), "resources.limits", pod.name() + ": "
                    + pod.gpus(), "the same GPUs for every pod of gang " + gangName + " (" + first.name() + ": "
                    + first.gpus() + ")");
        }
        int size = gangSize(first, gangName);
        InvalidValueException.require(pods.size() <= size, VigilLabels.GANG_SIZE, size, pods.size()
                + " pods have " + VigilLabels.GANG + ": " + gangName + " in namespace " + first.namespace()
                + ": a gang size of at least that, or fewer pods in the gang");
        boolean slice = !gpus.getKey().equals(VigilLabels.GPU_RESOURCE);
        InvalidValueException.require(!slice || gangName == null, "resources.limits", gpus.getKey(),
                "whole GPUs (" + VigilLabels.GPU_RESOURCE + ") for a gang's pods: MIG slices are for pods of "
                        + "their own (no " + VigilLabels.GANG + ")");
        JobAnnotations said = JobAnnotations.of(first.annotations());
        String name = first.namespace() + "/" + (gangName == null ? first.name() : gangName);
        JobSpec spec;
        try {
            spec = slice ? new JobSpec(name, JobKind.INFERENCE, said.tenant(), said.queue(), said.priorityClass(),
                    said.preemptible(), null, null, null, null,
                    gpus.getKey().substring(VigilLabels.MIG_RESOURCE_PREFIX.length()), 1, null, said.topology(), null,
                    null, null, BackendName.KUBERNETES, null, first.image(), null, null, null, first.nodeConstraints())
                    : new JobSpec(name, JobKind.TRAINING, said.tenant(), said.queue(), said.priorityClass(),
                    said.preemptible(), null, size, gpus.getValue(), null, null, null, null, said.topology(), null,
                    null, null, BackendName.KUBERNETES, null, first.image(), null, null, null,
                    first.nodeConstraints());
        } catch (InvalidValueException e) {
            throw asAnnotation(e);
        }
        return pods.size() < size ? null : new Gang(first.namespace(), name, List.copyOf(pods), spec);
    }

    private static String describe(UnclaimedPod pod) {
        NodeSelection selection = NodeSelection.of(pod.nodeConstraints());
        return selection == null ? "none" : selection.describe();
    }

    private static int gangSize(UnclaimedPod pod, String gangName) {
        String text = pod.annotations().get(VigilLabels.GANG_SIZE);
        if (text == null) {
            InvalidValueException.require(gangName == null, VigilLabels.GANG_SIZE, null,
                    "how many pods gang " + gangName + " has, e.g. \"4\"");
            return 1;
        }
        int size;
        try {
            size = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidValueException(VigilLabels.GANG_SIZE, text, "a number of pods, 1 to 4096");
        }
        InvalidValueException.require(size >= 1 && size <= 4096, VigilLabels.GANG_SIZE, text,
                "a number of pods, 1 to 4096");
        InvalidValueException.require(gangName != null || size == 1, VigilLabels.GANG_SIZE, text,
                "1, or a " + VigilLabels.GANG + " annotation naming the gang the pod is part of");
        return size;
    }

    /** The one GPU resource the pod asks for. */
    private static Map.Entry<String, Integer> gpus(UnclaimedPod pod) {
        if (!pod.otherGpuRequests().isEmpty()) {
            throw new InvalidValueException("resources", String.join(", ", pod.otherGpuRequests()), GPUS);
        }
        InvalidValueException.require(pod.gpus().size() == 1, "resources.limits",
                pod.gpus().isEmpty() ? "no GPU" : pod.gpus().toString(), GPUS);
        Map.Entry<String, Integer> only = pod.gpus().entrySet().iterator().next();
        InvalidValueException.require(only.getKey().equals(VigilLabels.GPU_RESOURCE) || only.getValue() == 1,
                "resources.limits", only.getKey() + ": " + only.getValue(), GPUS);
        return only;
    }

    /** A spec's refusal in the pod's words: the annotation (or resource) instead of the spec's field. */
    static InvalidValueException asAnnotation(InvalidValueException e) {
        String annotation = Objects.requireNonNullElse(ANNOTATION_OF.get(e.field()), e.field());
        return new InvalidValueException(annotation, e.value(), e.allowed());
    }
}
