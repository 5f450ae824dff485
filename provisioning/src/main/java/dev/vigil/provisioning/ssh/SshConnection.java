package dev.vigil.provisioning.ssh;

import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.xfer.FileSystemFile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

/** A logged-in SSH connection to one host: commands with a timeout, and files over SFTP. */
public final class SshConnection implements AutoCloseable {
    /** What a command may print on each stream; the rest is dropped (a runaway command cannot fill our heap). */
    static final int OUTPUT_LIMIT = 1 << 20;

    private final SSHClient client;
    private final SshTarget target;
    private final Duration commandTimeout;
    private SFTPClient sftp;

    SshConnection(SSHClient client, SshTarget target, Duration commandTimeout) {
        this.client = client;
        this.target = target;
        this.commandTimeout = commandTimeout;
    }

    public SshTarget target() {
        return target;
    }

    /** Runs a shell command line with the default command timeout. */
    public CommandResult run(String command) throws SshFailure {
        return run(command, commandTimeout);
    }

    /**
     * Runs a shell command line (the login user's shell parses it) and waits for it to end.
     *
     * @throws SshFailure {@code TIMEOUT} when it runs past {@code timeout} (the session is closed,
     *                    which ends the command on OpenSSH), {@code CONNECTION_LOST} when the connection dies
     */
    public CommandResult run(String command, Duration timeout) throws SshFailure {
        try (Session session = client.startSession()) {
            Session.Command running = session.exec(command);
            StreamReader out = StreamReader.start(running.getInputStream(), target.name() + "-stdout");
            StreamReader err = StreamReader.start(running.getErrorStream(), target.name() + "-stderr");
            try {
                running.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (IOException e) {
                if (client.isConnected() && running.isOpen()) {
                    kill(running);
                    throw new SshFailure(SshFailure.Reason.TIMEOUT, target.name(), "'" + shortened(command) + "' did not end within "
                            + Ssh.seconds(timeout), e);
                }
                throw lost("while '" + shortened(command) + "' ran", e);
            }
            Integer status = running.getExitStatus();
            return new CommandResult(status == null ? -1 : status, out.text(), err.text());
        } catch (SshFailure e) {
            throw e;
        } catch (IOException e) {
            throw lost("before '" + shortened(command) + "' could start", e);
        }
    }

    /**
     * Asks the server to kill a command that ran past its timeout: closing its session otherwise
     * waits, with OpenSSH, until the command ends by itself (SSHJ waits for the server's close).
     */
    private static void kill(Session.Command running) {
        try {
            running.signal(Signal.KILL);
        } catch (IOException e) {
            // the session is going anyway: closing it is what is left to do
        }
    }

    /** A command line for a message: its first 60 characters. */
    static String shortened(String command) {
        return command.length() <= 60 ? command : command.substring(0, 60) + "...";
    }

    /** Uploads a local file to {@code remote} (replacing it) with the given mode. */
    public void upload(Path local, String remote, int mode) throws SshFailure {
        try {
            SFTPClient files = sftp();
            files.put(new FileSystemFile(local.toFile()), remote);
            files.chmod(remote, mode);
        } catch (IOException e) {
            throw transfer("cannot upload " + local + " to " + remote, e);
        }
    }

    /**
     * Writes {@code content} to {@code remote} with the given mode, set before the first byte is
     * written: a secret is never readable by others, not even for a moment.
     */
    public void write(String remote, byte[] content, int mode) throws SshFailure {
        try {
            SFTPClient files = sftp();
            try (RemoteFile file = files.open(remote, EnumSet.of(OpenMode.WRITE, OpenMode.CREAT, OpenMode.TRUNC),
                    new FileAttributes.Builder().withPermissions(mode).build())) {
                // An existing file keeps its mode on open: set it before writing.
                file.setAttributes(new FileAttributes.Builder().withPermissions(mode).build());
                file.write(0, content, 0, content.length);
            }
        } catch (IOException e) {
            throw transfer("cannot write " + remote, e);
        }
    }

    /** Creates a folder and its parents, as {@code mkdir -p} does. */
    public void mkdirs(String remote) throws SshFailure {
        try {
            sftp().mkdirs(remote);
        } catch (IOException e) {
            throw transfer("cannot create " + remote, e);
        }
    }

    private SFTPClient sftp() throws IOException {
        if (sftp == null) {
            sftp = client.newSFTPClient();
            sftp.getSFTPEngine().setTimeoutMs((int) commandTimeout.toMillis());
        }
        return sftp;
    }

    private SshFailure transfer(String what, IOException e) {
        if (!client.isConnected()) {
            return lost(what, e);
        }
        return new SshFailure(SshFailure.Reason.TRANSFER, target.name(), what + ": " + e.getMessage(), e);
    }

    private SshFailure lost(String when, Exception e) {
        return new SshFailure(SshFailure.Reason.CONNECTION_LOST, target.name(), "connection to " + target.login()
                + " lost " + when + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        if (sftp != null) {
            try {
                sftp.close();
            } catch (IOException e) {
                // the connection goes next anyway
            }
        }
        Ssh.closeQuietly(client);
    }

    /** Drains a remote stream on its own thread, so that a chatty stderr cannot stall stdout. */
    private static final class StreamReader extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        private StreamReader(InputStream in, String name) {
            super(name);
            this.in = in;
            setDaemon(true);
        }

        static StreamReader start(InputStream in, String name) {
            StreamReader reader = new StreamReader(in, name);
            reader.start();
            return reader;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    synchronized (bytes) {
                        bytes.write(buffer, 0, Math.min(n, Math.max(0, OUTPUT_LIMIT - bytes.size())));
                    }
                }
            } catch (IOException e) {
                // the channel closed: what arrived is what there is
            }
        }

        /** What arrived; waits briefly for the end of the stream, which comes before the channel closes. */
        String text() throws IOException {
            try {
                join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
