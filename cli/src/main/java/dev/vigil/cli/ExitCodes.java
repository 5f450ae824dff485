package dev.vigil.cli;

/** What {@code vigil}'s exit status means, so scripts and systemd can tell failures apart. */
final class ExitCodes {
    static final int OK = 0;
    /** A generic failure. */
    static final int FAILED = 1;
    /** The command line or a config file is wrong: fix it, restarting will not help. */
    static final int CONFIG = 2;
    /** No GPU backend works on this machine. */
    static final int NO_BACKEND = 3;

    private ExitCodes() {
    }
}
