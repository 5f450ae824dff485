package dev.vigil.provisioning.ssh;

import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Opens SSH connections with SSHJ: key authentication only, host keys checked against the managed
 * known_hosts ({@link PinnedHostKeys}), keepalives, and timeouts for connecting and for each
 * command. One instance serves every host of a command; it is safe to use from several threads.
 */
public final class Ssh {
    private final SshSettings settings;
    private final DefaultConfig config;

    public Ssh(SshSettings settings) {
        this.settings = settings;
        this.config = new DefaultConfig();
        // Not KeepAlive's example, which also switches host-key checking off.
        config.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
    }

    public SshSettings settings() {
        return settings;
    }

    /**
     * Connects and logs in.
     *
     * @throws SshFailure when the host cannot be reached, its key is unknown or changed, or it refuses the key
     */
    public SshConnection connect(SshTarget target) throws SshFailure {
        SSHClient client = new SSHClient(config);
        PinnedHostKeys hostKeys = new PinnedHostKeys(settings.knownHosts(), settings.firstContact(), target);
        client.addHostKeyVerifier(hostKeys);
        client.setConnectTimeout((int) settings.connectTimeout().toMillis());
        client.setTimeout((int) settings.connectTimeout().toMillis());
        try {
            try {
                client.connect(target.address(), target.port());
            } catch (TransportException e) {
                if (hostKeys.refusal() != null) {
                    throw hostKeys.refusal();
                }
                throw new SshFailure(SshFailure.Reason.CONNECTION_LOST, target.name(), "SSH handshake with "
                        + target.login() + " failed: " + e.getMessage(), e);
            } catch (SocketTimeoutException e) {
                throw new SshFailure(SshFailure.Reason.UNREACHABLE, target.name(), "no SSH answer from "
                        + target.login() + " within " + seconds(settings.connectTimeout()), e);
            } catch (ConnectException | NoRouteToHostException | UnknownHostException e) {
                throw new SshFailure(SshFailure.Reason.UNREACHABLE, target.name(), "cannot connect to "
                        + target.login() + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw new SshFailure(SshFailure.Reason.CONNECTION_LOST, target.name(), "connecting to "
                        + target.login() + " failed: " + e.getMessage(), e);
            }
            // Once logged in, commands have their own timeouts; the socket's would cut a quiet one short.
            client.setTimeout(0);
            client.getConnection().getKeepAlive().setKeepAliveInterval((int) settings.keepAlive().toSeconds());
            login(client, target);
            return new SshConnection(client, target, settings.commandTimeout());
        } catch (SshFailure | RuntimeException e) {
            closeQuietly(client);
            throw e;
        }
    }

    private void login(SSHClient client, SshTarget target) throws SshFailure {
        String user = target.user() != null ? target.user() : System.getProperty("user.name");
        KeyProvider key;
        try {
            key = client.loadKeys(settings.identity().toString());
        } catch (IOException e) {
            throw new SshFailure(SshFailure.Reason.AUTH_REFUSED, target.name(), "cannot read the SSH key "
                    + settings.identity() + ": " + e.getMessage(), e);
        }
        try {
            client.authPublickey(user, key);
        } catch (UserAuthException e) {
            throw new SshFailure(SshFailure.Reason.AUTH_REFUSED, target.name(), target.address() + " refused the key "
                    + settings.identity() + " for user " + user + " (is its public key in ~" + user
                    + "/.ssh/authorized_keys?)", e);
        } catch (TransportException e) {
            throw new SshFailure(SshFailure.Reason.CONNECTION_LOST, target.name(), "connection to " + target.login()
                    + " lost while logging in: " + e.getMessage(), e);
        }
    }

    /** A timeout as people write it: {@code 10 s}, {@code 0.3 s}. */
    static String seconds(Duration duration) {
        return BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
    }

    static void closeQuietly(SSHClient client) {
        try {
            client.disconnect();
        } catch (IOException | RuntimeException e) {
            // already gone: nothing to release
        }
    }
}
