package dev.vigil.provisioning.ssh;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How {@link Ssh} connects.
 *
 * @param identity       the private key to log in with (key authentication only: no passwords)
 * @param knownHosts     the managed known_hosts file
 * @param firstContact   what may happen with a host that has no key pinned
 * @param connectTimeout for the TCP connection and each read during the handshake
 * @param commandTimeout default for one command or transfer to finish
 * @param keepAlive      interval of SSH keepalives; a connection whose keepalives go unanswered
 *                       five times in a row is dropped (a host that hung or lost its network)
 */
public record SshSettings(Path identity, KnownHosts knownHosts, FirstContact firstContact, Duration connectTimeout,
                          Duration commandTimeout, Duration keepAlive) {
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    public SshSettings {
        if (connectTimeout.isNegative() || connectTimeout.isZero() || commandTimeout.isNegative()
                || commandTimeout.isZero() || keepAlive.toSeconds() < 1) {
            throw new IllegalArgumentException("timeouts must be positive and the keepalive at least 1 s");
        }
    }

    public SshSettings(Path identity, KnownHosts knownHosts, FirstContact firstContact) {
        this(identity, knownHosts, firstContact, CONNECT_TIMEOUT, COMMAND_TIMEOUT, KEEP_ALIVE);
    }
}
