package dev.vigil.agent.repair;

/**
 * Whether the node reports to the controller: a simulated reboot silences it as a real one would,
 * and the reporter reports again, at once, when it is over.
 */
public final class ReportingPause {
    private volatile boolean paused;
    private volatile Runnable onResume = () -> { };

    public boolean paused() {
        return paused;
    }

    /** Registers the callback run when reporting may go on (the reporter's "report now"). */
    public void onResume(Runnable listener) {
        this.onResume = listener;
    }

    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
        onResume.run();
    }
}
