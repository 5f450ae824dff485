package dev.vigil.agent.placement;

import java.util.Optional;

/**
 * Signals through {@link ProcessHandle}: {@code destroy} is SIGTERM, {@code destroyForcibly} SIGKILL. The PIDs are
 * the host's (the agent runs in the host's PID namespace); a handle also refuses a PID whose process it no longer is.
 */
public final class ProcessHandleSignals implements Signals {
    @Override
    public boolean terminate(long pid) throws SignalFailedException {
        return signal(pid, false);
    }

    @Override
    public boolean kill(long pid) throws SignalFailedException {
        return signal(pid, true);
    }

    private static boolean signal(long pid, boolean force) throws SignalFailedException {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) {
            return false;
        }
        boolean sent;
        try {
            sent = force ? handle.get().destroyForcibly() : handle.get().destroy();
        } catch (RuntimeException e) {
            // The agent itself (IllegalStateException), or a platform that cannot signal.
            throw new SignalFailedException(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        if (!sent && handle.get().isAlive()) {
            throw new SignalFailedException("not permitted to signal it (the agent runs as "
                    + ProcessHandle.current().info().user().orElse("an unknown user") + ")");
        }
        return sent;
    }
}
