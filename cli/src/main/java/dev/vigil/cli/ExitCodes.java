package dev.vigil.cli;

/**
 * What {@code vigil}'s exit status means, so scripts and systemd can tell failures apart. The
 * README's "Exit status" table lists them; keep the two in step.
 */
final class ExitCodes {
    static final int OK = 0;
    /** A generic failure: the controller unreachable, a refusal (401, 403, 409), a 5xx, an unexpected error. */
    static final int FAILED = 1;
    /** What was typed is wrong (an option, a config file, a 400 or a 404): fix it, retrying will not help. */
    static final int CONFIG = 2;
    /** No GPU backend works on this machine. */
    static final int NO_BACKEND = 3;
    /** A server could not start: its port is taken or its address cannot be bound. Retrying may help. */
    static final int CANNOT_START = 4;

    private ExitCodes() {
    }
}
