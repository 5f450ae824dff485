package dev.vigil.api.gpu;

import java.util.List;

/** Whether a GPU can do MIG, whether it is on, and its GPU instances. */
public record MigStatus(boolean capable, boolean enabled, List<MigInstance> instances) {
    public MigStatus {
        instances = List.copyOf(instances);
    }

    public static MigStatus notCapable() {
        return new MigStatus(false, false, List.of());
    }
}
