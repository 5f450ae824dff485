package dev.vigil.k8s;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.Topology;
import dev.vigil.api.jobs.TopologyLevel;

import java.util.Locale;
import java.util.Map;

/**
 * What Vigil's annotations say of a job, on a manifest's metadata or on a pod others made: the
 * same words either way. A value Vigil cannot read is refused naming the annotation.
 *
 * @param tenant        {@value VigilLabels#TENANT}, or null
 * @param priorityClass {@value VigilLabels#PRIORITY_CLASS}, or null
 * @param queue         {@value VigilLabels#QUEUE}, or null
 * @param preemptible   {@value VigilLabels#PREEMPTIBLE}, or null when not said
 * @param topology      {@value VigilLabels#TOPOLOGY}, or null
 */
public record JobAnnotations(String tenant, String priorityClass, String queue, Boolean preemptible,
                             Topology topology) {
    static final String TOPOLOGIES = "same-node, same-nvlink, same-leaf or max-leaves=N";

    /** @throws InvalidValueException naming the annotation whose value cannot be read */
    public static JobAnnotations of(Map<String, String> annotations) {
        return new JobAnnotations(annotations.get(VigilLabels.TENANT), annotations.get(VigilLabels.PRIORITY_CLASS),
                annotations.get(VigilLabels.QUEUE), preemptible(annotations.get(VigilLabels.PREEMPTIBLE)),
                topology(annotations.get(VigilLabels.TOPOLOGY)));
    }

    private static Boolean preemptible(String text) {
        if (text == null) {
            return null;
        }
        String value = text.trim().toLowerCase(Locale.ROOT);
        InvalidValueException.require(value.equals("true") || value.equals("false"), VigilLabels.PREEMPTIBLE, text,
                "\"true\" or \"false\"");
        return Boolean.valueOf(value);
    }

    private static Topology topology(String text) {
        if (text == null) {
            return null;
        }
        String[] parts = text.trim().split("=", 2);
        try {
            TopologyLevel level = TopologyLevel.valueOf(parts[0].toUpperCase(Locale.ROOT).replace('-', '_'));
            return new Topology(level, true, parts.length == 2 ? Integer.valueOf(parts[1]) : null);
        } catch (IllegalArgumentException e) {
            throw new InvalidValueException(VigilLabels.TOPOLOGY, text, TOPOLOGIES);
        }
    }
}
