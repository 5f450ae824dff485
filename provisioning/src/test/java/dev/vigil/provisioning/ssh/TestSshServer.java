package dev.vigil.provisioning.ssh;

import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;

/**
 * An SSH server in the test JVM (Apache MINA sshd) that does on demand what a real sshd will not:
 * refuse a key, hang a command, drop the connection. Commands it knows:
 * {@code hello} (prints on both streams, exits 3), {@code hang} (never ends), {@code drop} (closes
 * the connection under the running command). SFTP serves {@code root}.
 */
final class TestSshServer implements AutoCloseable {
    private final SshServer server;

    private TestSshServer(SshServer server) {
        this.server = server;
    }

    /** Starts on a free port of 127.0.0.1, with these host keys, accepting only {@code clientKey}. */
    static TestSshServer start(List<KeyPair> hostKeys, PublicKey clientKey, Path root) throws IOException {
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKeys));
        server.setPublickeyAuthenticator((user, key, session) -> key.equals(clientKey));
        server.setCommandFactory((channel, command) -> new TestCommand(command));
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        server.setFileSystemFactory(new VirtualFileSystemFactory(root));
        server.start();
        return new TestSshServer(server);
    }

    int port() {
        return server.getPort();
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }

    static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair ecdsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes an RSA key pair's private key as PKCS#8 PEM, a format ssh keys come in and SSHJ reads. */
    static Path writePrivateKey(KeyPair key, Path file) throws IOException {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(file, pem);
        return file;
    }

    private static final class TestCommand implements Command {
        private final String command;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        TestCommand(String command) {
            this.command = command;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            switch (command) {
                case "hello" -> {
                    out.write("hello\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    err.write("to stderr\n".getBytes(StandardCharsets.UTF_8));
                    err.flush();
                    exit.onExit(3);
                }
                case "hang" -> {
                    // never calls exit
                }
                case "drop" -> channel.getSession().close(true);
                default -> exit.onExit(127, "unknown command " + command);
            }
        }

        @Override
        public void destroy(ChannelSession channel) {
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void setInputStream(InputStream in) {
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }
    }
}
