package dev.vigil.agent.placement;

import java.util.Optional;

/** Tells who a GPU process is: from /proc on a real node, from the agent's own bookkeeping on simulated GPUs. */
public interface Attribution {
    /** The process's identity, or empty when it has gone away meanwhile. */
    Optional<ProcessIdentity> identify(long pid);
}
