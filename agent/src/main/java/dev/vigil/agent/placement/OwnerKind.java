package dev.vigil.agent.placement;

/** What a GPU process belongs to, as its cgroup (or the simulated backend) says. */
public enum OwnerKind {
    /** A Slurm job: the id is Slurm's job id. */
    SLURM_JOB("slurm"),
    /** A Kubernetes pod: the id is the pod UID, with dashes. */
    POD("pod"),
    /** A systemd unit: the id is the unit name ({@code nvidia-persistenced.service}). */
    UNIT("unit"),
    /** A Vigil job the agent runs itself (simulated backend): the id is the Vigil job id. */
    VIGIL_JOB("job"),
    /** Nothing recognisable. */
    UNKNOWN("unknown");

    private final String wire;

    OwnerKind(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
