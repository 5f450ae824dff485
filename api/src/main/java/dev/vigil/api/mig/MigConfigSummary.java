package dev.vigil.api.mig;

import java.util.List;

/**
 * A named MIG config as {@code GET /v1/mig/configs} lists it.
 *
 * @param name    e.g. {@code all-balanced}
 * @param layouts what it makes of each GPU model it has an entry for
 */
public record MigConfigSummary(String name, List<ModelLayout> layouts) {
    public MigConfigSummary {
        layouts = List.copyOf(layouts);
    }

    /**
     * @param model  the GPU model, e.g. {@code H100-80GB}, or {@code any} for an entry without a device filter
     * @param layout e.g. {@code MIG on: 2×1g.10gb, 1×2g.20gb, 1×3g.40gb} or {@code MIG off}
     */
    public record ModelLayout(String model, String layout) {
    }
}
