package dev.vigil.provisioning.ssh;

/** Why a host could not be reached or a command on it did not finish; the message names the host. */
public final class SshFailure extends Exception {
    /** What went wrong, for callers that act on it (a changed host key is never retried). */
    public enum Reason {
        /** No key pinned for the host, and first contact was not allowed. */
        HOST_KEY_UNKNOWN,
        /** The host offered another key than the one pinned: possibly someone in between. */
        HOST_KEY_CHANGED,
        /** The host refused our key for the user. */
        AUTH_REFUSED,
        /** No SSH server answered (refused, no route, connect timeout). */
        UNREACHABLE,
        /** The connection was open, then lost (reset, keepalive unanswered). */
        CONNECTION_LOST,
        /** A command or a transfer ran past its timeout. */
        TIMEOUT,
        /** A file could not be written on the host. */
        TRANSFER
    }

    private final Reason reason;
    private final String host;

    public SshFailure(Reason reason, String host, String message, Throwable cause) {
        super(host + ": " + message, cause);
        this.reason = reason;
        this.host = host;
    }

    public Reason reason() {
        return reason;
    }

    public String host() {
        return host;
    }
}
