package dev.vigil.api.cluster;

/** What a token may do, each role including the ones before it (except agent). */
public enum Role {
    /** Read the fleet: nodes, GPUs, events, members, jobs, alerts and silences. */
    VIEWER,
    /** Also submit jobs, and cancel the jobs it submitted: ML engineers. */
    SUBMITTER,
    /**
     * Also change nodes (cordon, uncordon, drain, resume), cancel any job, manage silences and send
     * Alertmanager's webhook.
     */
    OPERATOR,
    /** Also read the audit log and manage tokens. */
    ADMIN,
    /** Only report as an agent. */
    AGENT;

    /** Whether this role may do what {@code needed} may. */
    public boolean covers(Role needed) {
        if (this == AGENT || needed == AGENT) {
            return this == needed;
        }
        return ordinal() >= needed.ordinal();
    }
}
