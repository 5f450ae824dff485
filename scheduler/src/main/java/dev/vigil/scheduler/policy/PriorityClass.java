package dev.vigil.scheduler.policy;

import dev.vigil.api.binding.InvalidValueException;

/**
 * A named priority, like Kubernetes' PriorityClass or a Slurm QOS: jobs of a higher value go
 * first and may evict preemptible jobs of a lower one.
 *
 * @param name        what jobs name in {@code priorityClass}
 * @param value       higher goes first
 * @param description for people
 */
public record PriorityClass(String name, Integer value, String description) {
    public PriorityClass {
        InvalidValueException.required(name, "name", "the class's name, e.g. high");
        InvalidValueException.require(name.matches("[a-z0-9][a-z0-9-]{0,62}"), "name", name,
                "lower-case letters, digits and dashes, up to 63");
        InvalidValueException.required(value, "value", "a number; higher goes first");
        description = description == null ? "" : description;
    }
}
