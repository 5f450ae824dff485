package dev.vigil.agent.placement;

import java.util.Objects;

/**
 * What a GPU process belongs to.
 *
 * @param kind the kind of owner
 * @param id   its id within that kind (empty for {@link OwnerKind#UNKNOWN})
 */
public record Owner(OwnerKind kind, String id) {
    public static final Owner UNKNOWN = new Owner(OwnerKind.UNKNOWN, "");

    public Owner {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
    }

    public static Owner slurmJob(String jobId) {
        return new Owner(OwnerKind.SLURM_JOB, jobId);
    }

    public static Owner pod(String uid) {
        return new Owner(OwnerKind.POD, uid);
    }

    public static Owner unit(String name) {
        return new Owner(OwnerKind.UNIT, name);
    }

    public static Owner vigilJob(String job) {
        return new Owner(OwnerKind.VIGIL_JOB, job);
    }

    /** {@code slurm:1234}, {@code pod:<uid>}, {@code unit:<name>}, {@code job:<id>} or {@code unknown}. */
    public String wire() {
        return kind == OwnerKind.UNKNOWN ? kind.wire() : kind.wire() + ":" + id;
    }

    /** Whether {@code wire} is this owner's {@link #wire()}, without building it (the judge asks for each process). */
    public boolean isWire(String wire) {
        if (kind == OwnerKind.UNKNOWN) {
            return kind.wire().equals(wire);
        }
        String prefix = kind.wire();
        return wire != null && wire.length() == prefix.length() + 1 + id.length() && wire.startsWith(prefix)
                && wire.charAt(prefix.length()) == ':' && wire.endsWith(id);
    }
}
