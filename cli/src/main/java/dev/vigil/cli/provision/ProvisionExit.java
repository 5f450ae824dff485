package dev.vigil.cli.provision;

/** The exit statuses of {@code vigil provision}, the same as every vigil command's. */
final class ProvisionExit {
    static final int OK = 0;
    /** A host failed: a check, an install, a batch. */
    static final int FAILED = 1;
    /** What was typed is wrong: an option, a hosts file. */
    static final int CONFIG = 2;

    private ProvisionExit() {
    }
}
