package dev.vigil.provisioning.ssh;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SSH layer against an in-JVM server: host-key pinning, refusals, timeouts, lost connections, files. */
class SshTest {
    private static final Duration SHORT = Duration.ofSeconds(2);
    private static KeyPair clientKey;
    private static KeyPair hostRsa;
    private static KeyPair hostEcdsa;

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void keys() {
        clientKey = TestSshServer.rsa();
        hostRsa = TestSshServer.rsa();
        hostEcdsa = TestSshServer.ecdsa();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private TestSshServer server(KeyPair... hostKeys) throws IOException {
        Files.createDirectories(dir.resolve("root"));
        TestSshServer server = TestSshServer.start(List.of(hostKeys), clientKey.getPublic(), dir.resolve("root"));
        open.add(server);
        return server;
    }

    private Ssh ssh(FirstContact firstContact) throws IOException {
        Path identity = TestSshServer.writePrivateKey(clientKey, dir.resolve("id_rsa"));
        return new Ssh(new SshSettings(identity, new KnownHosts(dir.resolve("known_hosts")), firstContact,
                SHORT, SHORT, Duration.ofSeconds(1)));
    }

    private static SshTarget target(TestSshServer server) {
        return new SshTarget("gpu-01", "ops", "127.0.0.1", server.port());
    }

    private SshConnection connect(Ssh ssh, SshTarget target) throws SshFailure {
        SshConnection connection = ssh.connect(target);
        open.add(connection);
        return connection;
    }

    @Test
    void runsCommandsAndPinsTheKeyOnAnAllowedFirstContact() throws Exception {
        TestSshServer server = server(hostEcdsa);
        CommandResult result = connect(ssh(FirstContact.ACCEPT_ANY), target(server)).run("hello");

        assertThat(result).isEqualTo(new CommandResult(3, "hello\n", "to stderr\n"));
        assertThat(Files.readString(dir.resolve("known_hosts")))
                .isEqualTo("[127.0.0.1]:" + server.port() + " ecdsa-sha2-nistp256 "
                        + HostKey.of(hostEcdsa.getPublic()).base64() + "\n");
        // pinned now: the next connection needs no permission
        assertThat(connect(ssh(FirstContact.REFUSE), target(server)).run("hello").exitStatus()).isEqualTo(3);
    }

    @Test
    void refusesAHostWithoutPinnedKeyAndSaysHowToAllowIt() throws Exception {
        TestSshServer server = server(hostEcdsa);
        String fingerprint = HostKey.of(hostEcdsa.getPublic()).fingerprint();

        assertThatThrownBy(() -> ssh(FirstContact.REFUSE).connect(target(server)))
                .isInstanceOfSatisfying(SshFailure.class, e -> assertThat(e.reason()).isEqualTo(SshFailure.Reason.HOST_KEY_UNKNOWN))
                .hasMessageContaining("gpu-01: no host key pinned")
                .hasMessageContaining("--host-key-fingerprint gpu-01=" + fingerprint)
                .hasMessageContaining("--accept-new-host-keys");
        assertThat(dir.resolve("known_hosts")).doesNotExist();
    }

    @Test
    void aServiceThatNeverPinsAKeyIsToldToAddItWhereItsKeysComeFrom() throws Exception {
        TestSshServer server = server(hostEcdsa);

        assertThatThrownBy(() -> ssh(FirstContact.pinnedOnlyBy("runbooks.ssh.knownHosts")).connect(target(server)))
                .isInstanceOfSatisfying(SshFailure.class, e -> assertThat(e.reason()).isEqualTo(SshFailure.Reason.HOST_KEY_UNKNOWN))
                .hasMessageContaining("gpu-01: no host key pinned")
                .hasMessageContaining(HostKey.of(hostEcdsa.getPublic()).fingerprint())
                .hasMessageContaining("add the host's key to runbooks.ssh.knownHosts (" + dir.resolve("known_hosts") + ")")
                .message().doesNotContain("--host-key-fingerprint", "--accept-new-host-keys");
        assertThat(dir.resolve("known_hosts")).doesNotExist();
    }

    @Test
    void aChangedHostKeyFailsClosedNamingTheHostAndBothFingerprints() throws Exception {
        TestSshServer server = server(hostEcdsa);
        KeyPair before = TestSshServer.ecdsa();
        new KnownHosts(dir.resolve("known_hosts")).add("127.0.0.1", server.port(), HostKey.of(before.getPublic()));

        assertThatThrownBy(() -> ssh(FirstContact.ACCEPT_ANY).connect(target(server)))
                .isInstanceOfSatisfying(SshFailure.class, e -> assertThat(e.reason()).isEqualTo(SshFailure.Reason.HOST_KEY_CHANGED))
                .hasMessageStartingWith("gpu-01: HOST KEY CHANGED")
                .hasMessageContaining(HostKey.of(hostEcdsa.getPublic()).fingerprint())
                .hasMessageContaining(HostKey.of(before.getPublic()).fingerprint());
        // the pinned key stays: accepting new keys never replaces one
        assertThat(new KnownHosts(dir.resolve("known_hosts")).keys("127.0.0.1", server.port()))
                .containsExactly(HostKey.of(before.getPublic()));
    }

    @Test
    void aFingerprintGivenOutOfBandPinsOnlyThatKey() throws Exception {
        TestSshServer server = server(hostEcdsa);
        String right = HostKey.of(hostEcdsa.getPublic()).fingerprint();
        String wrong = HostKey.of(hostRsa.getPublic()).fingerprint();

        assertThatThrownBy(() -> ssh(new FirstContact(false, Map.of("gpu-01", wrong))).connect(target(server)))
                .isInstanceOfSatisfying(SshFailure.class, e -> assertThat(e.reason()).isEqualTo(SshFailure.Reason.HOST_KEY_CHANGED))
                .hasMessageContaining(right).hasMessageContaining(wrong);
        assertThat(connect(ssh(new FirstContact(false, Map.of("127.0.0.1", right))), target(server)).run("hello").stdout())
                .isEqualTo("hello\n");
    }

    /** sshj#642: a host pinned by its RSA key must be asked for that key, not for the type SSHJ prefers. */
    @Test
    void negotiatesTheKeyTypeThatIsPinned() throws Exception {
        TestSshServer server = server(hostEcdsa, hostRsa);
        new KnownHosts(dir.resolve("known_hosts")).add("127.0.0.1", server.port(), HostKey.of(hostRsa.getPublic()));

        assertThat(connect(ssh(FirstContact.REFUSE), target(server)).run("hello").exitStatus()).isEqualTo(3);
    }

    @Test
    void aRefusedKeyNamesTheUserAndTheKeyFile() throws Exception {
        TestSshServer server = server(hostEcdsa);
        Ssh ssh = ssh(FirstContact.ACCEPT_ANY);
        TestSshServer.writePrivateKey(TestSshServer.rsa(), dir.resolve("id_rsa"));

        assertThatThrownBy(() -> ssh.connect(target(server)))
                .isInstanceOfSatisfying(SshFailure.class, e -> assertThat(e.reason()).isEqualTo(SshFailure.Reason.AUTH_REFUSED))
                .hasMessageContaining("refused the key " + dir.resolve("id_rsa") + " for user ops");
    }

    @Test
    void aCommandThatDoesNotEndTimesOut() throws Exception {
        TestSshServer server = server(hostEcdsa);
        SshConnection connection = connect(ssh(FirstContact.ACCEPT_ANY), target(server));

        assertThatThrownBy(() -> connection.run("hang", Duration.ofMillis(300)))
                .isInstanceOfSatisfying(SshFailure.class, e -> assertThat(e.reason()).isEqualTo(SshFailure.Reason.TIMEOUT))
                .hasMessage("gpu-01: 'hang' did not end within 0.3 s");
        // the connection still serves the next command
        assertThat(connection.run("hello").exitStatus()).isEqualTo(3);
    }

    @Test
    void aDroppedConnectionIsReportedAsLost() throws Exception {
        TestSshServer server = server(hostEcdsa);
        SshConnection connection = connect(ssh(FirstContact.ACCEPT_ANY), target(server));

        assertThatThrownBy(() -> connection.run("drop"))
                .isInstanceOfSatisfying(SshFailure.class, e -> assertThat(e.reason()).isEqualTo(SshFailure.Reason.CONNECTION_LOST))
                .hasMessageContaining("gpu-01: connection to ops@127.0.0.1:" + server.port() + " lost");
    }

    @Test
    void aServerThatNeverSpeaksSshIsUnreachableAfterTheConnectTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            SshTarget target = new SshTarget("gpu-01", "ops", "127.0.0.1", silent.getLocalPort());

            assertThatThrownBy(() -> ssh(FirstContact.ACCEPT_ANY).connect(target))
                    .isInstanceOfSatisfying(SshFailure.class, e -> assertThat(e.reason()).isIn(
                            SshFailure.Reason.UNREACHABLE, SshFailure.Reason.CONNECTION_LOST))
                    .hasMessageStartingWith("gpu-01: ");
        }
    }

    @Test
    void aClosedPortIsUnreachable() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        SshTarget target = new SshTarget("gpu-01", "ops", "127.0.0.1", port);

        assertThatThrownBy(() -> ssh(FirstContact.ACCEPT_ANY).connect(target))
                .isInstanceOfSatisfying(SshFailure.class, e -> assertThat(e.reason()).isEqualTo(SshFailure.Reason.UNREACHABLE))
                .hasMessageContaining("gpu-01: cannot connect to ops@127.0.0.1:" + port);
    }

    @Test
    void writesASecretWithItsModeAndUploadsFiles() throws Exception {
        TestSshServer server = server(hostEcdsa);
        SshConnection connection = connect(ssh(FirstContact.ACCEPT_ANY), target(server));
        Path local = Files.writeString(dir.resolve("dist.tar.gz"), "tarball");

        connection.mkdirs("/opt/vigil/etc");
        connection.write("/opt/vigil/etc/agent.yaml", "token: s3cret\n".getBytes(StandardCharsets.UTF_8), 0600);
        connection.upload(local, "/opt/vigil/dist.tar.gz", 0644);

        Path agentYaml = dir.resolve("root/opt/vigil/etc/agent.yaml");
        assertThat(agentYaml).hasContent("token: s3cret");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(agentYaml))).isEqualTo("rw-------");
        assertThat(dir.resolve("root/opt/vigil/dist.tar.gz")).hasContent("tarball");
    }
}
