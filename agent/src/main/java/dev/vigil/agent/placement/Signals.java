package dev.vigil.agent.placement;

/** Stops processes that violate placement under the {@code kill} policy. */
public interface Signals {
    /**
     * Sends SIGTERM.
     *
     * @return false when no such process runs any more (it ended by itself)
     * @throws SignalFailedException when it runs but cannot be signalled (permission, say)
     */
    boolean terminate(long pid) throws SignalFailedException;

    /**
     * Sends SIGKILL.
     *
     * @return false when no such process runs any more (it obeyed SIGTERM)
     * @throws SignalFailedException when it runs but cannot be signalled
     */
    boolean kill(long pid) throws SignalFailedException;

    /** Why a process could not be signalled: logged, and the enforcement is {@code signal-failed}. */
    final class SignalFailedException extends Exception {
        public SignalFailedException(String reason) {
            super(reason);
        }
    }
}
