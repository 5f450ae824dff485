package dev.vigil.provisioning.install;

import dev.vigil.provisioning.Fleet;
import dev.vigil.provisioning.ssh.CommandResult;
import dev.vigil.provisioning.ssh.Ssh;
import dev.vigil.provisioning.ssh.SshConnection;
import dev.vigil.provisioning.ssh.SshFailure;
import dev.vigil.provisioning.ssh.SshTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * Puts the agent on hosts over SSH and waits for the controller to show each node ready:
 * upload the distribution (skipped when the host has the same file), unpack it into
 * {@code releases/}, switch {@code current} to it, write agent.yaml (0600), check it with
 * {@code vigil agent --check}, start the agent, then poll the controller.
 */
public final class Installer {
    private static final Logger LOG = LoggerFactory.getLogger(Installer.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final Ssh ssh;
    private final ControllerNodes controller;
    private final InstallSettings settings;
    private final String sha256;

    public Installer(Ssh ssh, ControllerNodes controller, InstallSettings settings) throws IOException {
        this.ssh = ssh;
        this.controller = controller;
        this.settings = settings;
        this.sha256 = sha256(settings);
    }

    /**
     * Installs on every host, at most {@code parallel} at once; results in the hosts' order, and each
     * to {@code finished} as it comes.
     *
     * @throws IllegalArgumentException when the settings name no controller or no agent token
     */
    public List<InstallResult> install(List<SshTarget> targets, int parallel, Consumer<InstallResult> finished)
            throws InterruptedException {
        if (settings.controllerUrls().isEmpty() || settings.agentToken() == null || settings.agentToken().isBlank()) {
            throw new IllegalArgumentException("an install needs the controller URLs and the agent token");
        }
        return Fleet.map(targets, parallel, target -> {
            InstallResult result = run(target, true);
            finished.accept(result);
            return result;
        });
    }

    /** Replaces the running release on one host and waits for its agent to report the new version. */
    public InstallResult upgrade(SshTarget target) {
        return run(target, false);
    }

    private InstallResult run(SshTarget target, boolean configure) {
        long start = System.nanoTime();
        Progress progress = new Progress(target.name(), start);
        try (SshConnection host = connect(target, progress)) {
            String prefix = absolutePrefix(host);
            String release = "vigil-" + settings.version();
            String tarball = prefix + "/releases/" + release + ".tar.gz";
            progress.step("upload");
            if (!sha256.equals(remoteSha256(host, tarball))) {
                host.upload(settings.distribution(), tarball, 0644);
            }
            progress.step("unpack");
            expect(host, "tar -xzf " + sh(tarball) + " -C " + sh(prefix + "/releases") + " && ln -sfn releases/"
                    + release + " " + sh(prefix + "/current.new") + " && mv -T " + sh(prefix + "/current.new") + " "
                    + sh(prefix + "/current"), "unpacking " + tarball);
            if (configure) {
                progress.step("configure");
                host.write(prefix + "/etc/agent.yaml", AgentFiles.agentYaml(target.name(), settings, prefix)
                        .getBytes(StandardCharsets.UTF_8), 0600);
                progress.step("check");
                expect(host, sh(prefix + "/current/bin/vigil") + " agent --config " + sh(prefix + "/etc/agent.yaml")
                        + " --check", "agent.yaml");
            }
            progress.step("start");
            start(host, prefix);
            progress.step("ready");
            String why = awaitAgent(target.name(), configure);
            if (why != null) {
                return progress.failed(why + "; " + logTail(host, prefix));
            }
            return progress.done(settings.version() + (configure ? " ready" : " reporting"));
        } catch (SshFailure e) {
            return progress.failed(e.getMessage());
        } catch (IOException e) {
            return progress.failed("controller: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return progress.failed("interrupted");
        }
    }

    private SshConnection connect(SshTarget target, Progress progress) throws SshFailure {
        progress.step("connect");
        return ssh.connect(target);
    }

    private String absolutePrefix(SshConnection host) throws SshFailure {
        String prefix = sh(settings.prefix());
        CommandResult made = expect(host, "mkdir -p " + prefix + "/releases " + prefix + "/etc " + prefix + "/state && cd "
                + prefix + " && pwd", "creating " + settings.prefix());
        return made.stdout().strip();
    }

    private void start(SshConnection host, String prefix) throws SshFailure {
        String sudo = settings.sudo() ? "sudo -n " : "";
        if (settings.service() == InstallSettings.Service.SYSTEMD) {
            CommandResult shipped = expect(host, "cat " + sh(prefix + "/current/systemd/vigil-agent.service"), "the unit");
            host.write(prefix + "/vigil-agent.service", AgentFiles.systemdUnit(shipped.stdout(), prefix)
                    .getBytes(StandardCharsets.UTF_8), 0644);
            expect(host, sudo + "install -m 0644 " + sh(prefix + "/vigil-agent.service")
                    + " /etc/systemd/system/vigil-agent.service && " + sudo + "systemctl daemon-reload && " + sudo
                    + "systemctl enable vigil-agent && " + sudo + "systemctl restart vigil-agent", "starting the unit");
        } else {
            String pid = sh(prefix + "/agent.pid");
            // the old agent first: the new one needs its port. Only the agent goes to the background, with
            // every stream redirected: anything holding the session's output keeps the command from ending.
            expect(host, "if [ -s " + pid + " ] && kill -0 \"$(cat " + pid + ")\" 2>/dev/null; then kill \"$(cat " + pid
                    + ")\"; for i in $(seq 100); do kill -0 \"$(cat " + pid + ")\" 2>/dev/null || break; sleep 0.2; done; fi; "
                    + "cd " + sh(prefix) + " || exit 1; setsid nohup " + sh(prefix + "/current/bin/vigil") + " agent --config "
                    + sh(prefix + "/etc/agent.yaml") + " >> agent.log 2>&1 < /dev/null & echo $! > " + pid, "starting the agent");
        }
    }

    /**
     * Null once the controller shows the node's agent with this version, and the node ready when
     * {@code ready} (an upgraded node may be drained: the rollout returns it); else why not, at the timeout.
     */
    private String awaitAgent(String node, boolean ready) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + settings.readyTimeout().toNanos();
        ControllerNodes.Node seen = null;
        IOException unreachable = null;
        while (System.nanoTime() < deadline) {
            try {
                seen = controller.node(node);
                unreachable = null;
                if (seen != null && settings.version().equals(seen.agentVersion())
                        && (ready ? "ready".equals(seen.state()) : !"unknown".equals(seen.state()))) {
                    return null;
                }
            } catch (IOException e) {
                unreachable = e;
            }
            Thread.sleep(POLL.toMillis());
        }
        String waited = "agent " + settings.version() + " not " + (ready ? "ready" : "reporting") + " after "
                + settings.readyTimeout().toSeconds() + " s: ";
        if (unreachable != null) {
            return waited + "the controller does not answer (" + unreachable.getMessage() + ")";
        }
        return waited + (seen == null ? "the controller has not heard from it (can it reach "
                + String.join(", ", settings.controllerUrls()) + "?)"
                : "the controller shows it " + seen.state() + " with agent " + seen.agentVersion());
    }

    private String logTail(SshConnection host, String prefix) {
        String command = settings.service() == InstallSettings.Service.SYSTEMD
                ? (settings.sudo() ? "sudo -n " : "") + "journalctl -u vigil-agent -n 3 --no-pager -o cat"
                : "tail -n 3 " + sh(prefix + "/agent.log");
        try {
            return "the agent's last lines: " + host.run(command).stdout().strip().replace('\n', '|');
        } catch (SshFailure e) {
            return "no log: " + e.getMessage();
        }
    }

    private static CommandResult expect(SshConnection host, String command, String what) throws SshFailure {
        CommandResult result = host.run(command);
        if (!result.succeeded()) {
            throw new SshFailure(SshFailure.Reason.TRANSFER, host.target().name(), what + " failed (exit "
                    + result.exitStatus() + "): " + (result.stderr() + result.stdout()).strip().replace('\n', '|'), null);
        }
        return result;
    }

    private static String remoteSha256(SshConnection host, String file) throws SshFailure {
        CommandResult result = host.run("sha256sum " + sh(file) + " 2>/dev/null");
        return result.succeeded() ? result.stdout().split("\\s+")[0] : "";
    }

    private static String sha256(InstallSettings settings) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(settings.distribution()),
                MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e);
        }
    }

    /** A word for the remote shell: single-quoted, except a leading {@code ~/} that it must expand. */
    static String sh(String word) {
        if (word.startsWith("~/")) {
            return "~/" + sh(word.substring(2));
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** The step a host is at, logged as it goes, and its result. */
    private static final class Progress {
        private final String host;
        private final long start;
        private String step = "connect";

        Progress(String host, long start) {
            this.host = host;
            this.start = start;
        }

        void step(String next) {
            step = next;
            LOG.atInfo().addKeyValue("host", host).addKeyValue("step", step).log("install_step");
        }

        InstallResult done(String detail) {
            LOG.atInfo().addKeyValue("host", host).addKeyValue("seconds", seconds()).log("install_done");
            return new InstallResult(host, true, step, detail, seconds());
        }

        InstallResult failed(String detail) {
            LOG.atWarn().addKeyValue("host", host).addKeyValue("step", step).addKeyValue("why", detail).log("install_failed");
            return new InstallResult(host, false, step, detail, seconds());
        }

        private double seconds() {
            return Math.round((System.nanoTime() - start) / 1e7) / 100.0;
        }
    }
}
