package dev.vigil.agent.placement;

import dev.vigil.gpu.simulated.SimulatedNode;

/**
 * Signals on simulated GPUs: a simulated PID is no host process and must never be signalled for real. A stray
 * process (injected rogue or overreaching) ends on SIGTERM; a workload's process belongs to its job, which the
 * agent stops through the controller, so signalling it fails.
 */
public final class SimulatedSignals implements Signals {
    private final SimulatedNode node;

    public SimulatedSignals(SimulatedNode node) {
        this.node = node;
    }

    @Override
    public boolean terminate(long pid) throws SignalFailedException {
        return end(pid);
    }

    @Override
    public boolean kill(long pid) throws SignalFailedException {
        return end(pid);
    }

    private boolean end(long pid) throws SignalFailedException {
        if (node.endStray(pid)) {
            return true;
        }
        if (node.origin(pid).isEmpty()) {
            return false;
        }
        throw new SignalFailedException("a simulated workload's process: its job stops it");
    }
}
