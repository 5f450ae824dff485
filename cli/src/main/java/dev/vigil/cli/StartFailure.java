package dev.vigil.cli;

/**
 * Why a command could not start, already worded for the terminal with what to do about it, and
 * the exit status it calls for. {@link Vigil}'s handler prints it as one line.
 */
final class StartFailure extends RuntimeException {
    private final int exitCode;

    StartFailure(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
