package dev.vigil.cli.provision;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.provisioning.install.InstallResult;
import dev.vigil.provisioning.install.InstallSettings;
import dev.vigil.provisioning.install.Installer;
import dev.vigil.provisioning.ssh.Ssh;
import dev.vigil.provisioning.ssh.SshTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code vigil provision install HOSTS}: the agent on each host, done when the controller shows it ready. */
@Command(name = "install",
        mixinStandardHelpOptions = true,
        description = {
                "Install the agent on hosts over SSH and wait until the controller shows each node ready.",
                "",
                "On each host, under --prefix (default /opt/vigil; relative: under the login user's home):",
                "  releases/vigil-VERSION/   the distribution, uploaded over SFTP (skipped when the host has the",
                "                            same file) and unpacked; current -> it, switched atomically",
                "  etc/agent.yaml            node name, --backend, --agent-port, the controllers, the agent token;",
                "                            mode 0600, checked with 'vigil agent --check' before anything starts",
                "Then the agent starts: the distribution's systemd unit, pointed at the prefix (systemd hands",
                "agent.yaml to the unit's dynamic user as a credential) and enabled; or, with --no-systemd, a",
                "plain background process (setsid nohup, pid in agent.pid, log in agent.log) for hosts without",
                "systemd, which nothing restarts after a crash or a reboot.",
                "",
                "Done means the controller's GET /v1/nodes/NAME says ready with this version, not that SSH",
                "exited 0. A host that does not get there within --ready-timeout fails with what the controller",
                "shows and the agent's last log lines. Exit status 0 when all are ready, 1 when one is not.",
                ""},
        footer = {"", "Examples:",
                "  vigil provision install hosts.txt --distribution vigil-1.4.0.tar.gz \\",
                "      --controller http://ctl-1:8080 --controller http://ctl-2:8080 --agent-token-file agent.token",
                "  vigil provision install gpu-017 --distribution vigil-1.4.0.tar.gz --controller http://ctl-1:8080 \\",
                "      --agent-token-file agent.token --user ops --sudo --accept-new-host-keys"})
final class InstallCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    SshOptions ssh;

    @Mixin
    ControllerOption controller;

    @Parameters(index = "0", arity = "0..1", paramLabel = "HOSTS",
            description = "A hosts file, or a comma list of [user@]host[:port]; or --partition P instead.")
    String hosts;

    @Option(names = "--distribution", paramLabel = "FILE", required = true,
            description = "The distribution: vigil-VERSION.tar.gz as the build makes it.")
    Path distribution;

    @Option(names = "--controller", paramLabel = "URL", required = true,
            description = "A controller member the agents report to, as they reach it; repeatable.")
    List<String> controllers;

    @Option(names = "--agent-token-file", paramLabel = "FILE", required = true,
            description = "The agents' API token (role agent), e.g. the controller's dataDir/agent.token.")
    Path agentTokenFile;

    @Option(names = "--prefix", paramLabel = "DIR", defaultValue = "/opt/vigil",
            description = "Where the agent goes on each host (default: ${DEFAULT-VALUE}).")
    String prefix;

    @Option(names = "--backend", paramLabel = "KIND", defaultValue = "auto",
            description = "The agents' GPU backend: auto, dcgm, nvml, simulated (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--agent-port", paramLabel = "PORT", defaultValue = "9400",
            description = "The port the agents listen on (default: ${DEFAULT-VALUE}).")
    int agentPort;

    @Option(names = "--no-systemd",
            description = "Start the agent as a plain background process, for hosts without systemd.")
    boolean noSystemd;

    @Option(names = "--sudo", description = "Install and start the unit through 'sudo -n' (a login user that is not root).")
    boolean sudo;

    @Option(names = "--ready-timeout", paramLabel = "DURATION", defaultValue = "2m",
            description = "How long each node may take to show ready (default: ${DEFAULT-VALUE}).")
    String readyTimeout;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (default: ${DEFAULT-VALUE}).")
    Output output;

    @Override
    public Integer call() throws Exception {
        List<SshTarget> targets;
        Installer installer;
        try {
            targets = ssh.targets(hosts);
            InstallSettings settings = new InstallSettings(distribution, prefix, controllers, token(), backend, agentPort,
                    noSystemd ? InstallSettings.Service.BACKGROUND : InstallSettings.Service.SYSTEMD, sudo,
                    HumanDurations.parse(readyTimeout, "--ready-timeout"));
            installer = new Installer(new Ssh(ssh.settings()), controller.rest(controllers.get(0)), settings);
        } catch (IllegalArgumentException | IOException e) {
            return Output.fail(spec, e.getMessage(), ProvisionExit.CONFIG);
        }
        long start = System.nanoTime();
        List<InstallResult> results = installer.install(targets, ssh.parallel,
                new HostProgress(spec.commandLine().getErr(), targets.size(), output));
        print(spec.commandLine().getOut(), results, output, (System.nanoTime() - start) / 1e9);
        return results.stream().allMatch(InstallResult::ok) ? ProvisionExit.OK : ProvisionExit.FAILED;
    }

    private String token() throws IOException {
        if (!Files.isReadable(agentTokenFile)) {
            throw new InvalidValueException("--agent-token-file", agentTokenFile, "a readable file holding the agent token");
        }
        return Files.readString(agentTokenFile).strip();
    }

    static void print(PrintWriter out, List<InstallResult> results, Output output, double seconds) throws IOException {
        if (output == Output.JSON) {
            out.println(Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(results));
        } else {
            Columns table = new Columns("HOST", "RESULT", "STEP", "SECONDS", "DETAIL");
            results.forEach(r -> table.row(r.host(), r.ok() ? "ok" : "failed", r.step(), String.format("%.1f", r.seconds()),
                    r.detail()));
            table.print(out);
            long ok = results.stream().filter(InstallResult::ok).count();
            out.printf("%n%d of %d host(s) ready in %.1f s%n", ok, results.size(), seconds);
        }
        out.flush();
    }
}
