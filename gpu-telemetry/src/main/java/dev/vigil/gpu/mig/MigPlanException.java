package dev.vigil.gpu.mig;

import java.util.List;

/**
 * A MIG layout that cannot be built. Each reason is a full sentence naming the instance or
 * entry and the rule it breaks, so an operator can fix the request without reading code.
 */
public final class MigPlanException extends RuntimeException {
    private final List<String> reasons;

    public MigPlanException(String what, List<String> reasons) {
        super(what + ": " + String.join("; ", reasons));
        this.reasons = List.copyOf(reasons);
    }

    /** Every reason, in a stable order. */
    public List<String> reasons() {
        return reasons;
    }
}
