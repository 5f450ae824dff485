package dev.vigil.gpu.simulated;

import dev.vigil.api.binding.InvalidValueException;

import java.util.List;
import java.util.Map;

/**
 * A MIG layout to start simulated GPUs in, in mig-parted's terms.
 *
 * @param gpus    the GPUs it applies to
 * @param devices profile name → count, e.g. {@code {1g.10gb: 7}}
 */
public record MigSpec(List<Integer> gpus, Map<String, Integer> devices) {
    public MigSpec {
        InvalidValueException.required(gpus, "gpus", "a list of GPU indices");
        gpus = List.copyOf(gpus);
        devices = devices == null ? Map.of() : Map.copyOf(devices);
    }
}
