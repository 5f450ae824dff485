package dev.vigil.agent.placement;

import java.util.Optional;

/** Tells who a GPU process is: from /proc on a real node, from the agent's own bookkeeping on simulated GPUs. */
public interface Attribution {
    /** The process's identity, or empty when it has gone away meanwhile. */
    Optional<ProcessIdentity> identify(long pid);

    /**
     * Whether the process {@code identity} was read from still runs under its PID, and not a later one that got
     * the PID: asked before each signal.
     */
    boolean sameProcess(ProcessIdentity identity);
}
