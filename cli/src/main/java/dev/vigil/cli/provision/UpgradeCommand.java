package dev.vigil.cli.provision;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.HumanDurations;
import dev.vigil.provisioning.install.InstallResult;
import dev.vigil.provisioning.install.InstallSettings;
import dev.vigil.provisioning.install.Installer;
import dev.vigil.provisioning.ssh.Ssh;
import dev.vigil.provisioning.ssh.SshTarget;
import dev.vigil.provisioning.upgrade.Rollout;
import dev.vigil.provisioning.upgrade.RolloutPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code vigil provision upgrade HOSTS --to VERSION}: a rolling upgrade of the agents. */
@Command(name = "upgrade",
        mixinStandardHelpOptions = true,
        description = {
                "Upgrade the agents on hosts, batch after batch, the first batch a canary.",
                "",
                "--batches is Ansible's serial list: each step a count (1) or a share of all hosts (10%,",
                "rounded up); the last step repeats until every host is in a batch. 1,10%,25% on 100 hosts:",
                "1, 10, 25, 25, 25, 14. The hosts of a batch go at once; each one is drained through the",
                "controller first (--no-drain: in place), gets the new release (install's steps; agent.yaml",
                "stays), and is returned once its agent reports VERSION. A batch whose failures exceed",
                "--max-fail (a count, or a share of the batch; default 0) halts the rollout: the batches",
                "after it are left untouched, and a failed host stays drained. --dry-run prints the plan.",
                "Exit status 0 when every host is upgraded, 1 when the rollout halted or a host failed.",
                ""},
        footer = {"", "Examples:",
                "  vigil provision upgrade hosts.txt --to 1.5.0 --distribution vigil-1.5.0.tar.gz --dry-run",
                "  vigil provision upgrade hosts.txt --to 1.5.0 --distribution vigil-1.5.0.tar.gz --batches 1,10%,25% --max-fail 0"})
final class UpgradeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    SshOptions ssh;

    @Mixin
    ControllerOption controller;

    @Parameters(index = "0", arity = "0..1", paramLabel = "HOSTS",
            description = "A hosts file, or a comma list of [user@]host[:port]; or --partition P instead.")
    String hosts;

    @Option(names = "--to", paramLabel = "VERSION", required = true, description = "The version to go to.")
    String to;

    @Option(names = "--distribution", paramLabel = "FILE", required = true,
            description = "vigil-VERSION.tar.gz of that version, as the build makes it.")
    Path distribution;

    @Option(names = "--batches", paramLabel = "STEPS", defaultValue = "1,10%,25%",
            description = "Batch sizes, counts or shares of all hosts (default: ${DEFAULT-VALUE}).")
    String batches;

    @Option(names = "--max-fail", paramLabel = "N|N%", defaultValue = "0",
            description = "Failures a batch may have and the rollout go on (default: ${DEFAULT-VALUE}).")
    String maxFail;

    @Option(names = "--dry-run", description = "Print the plan, change nothing.")
    boolean dryRun;

    @Option(names = "--no-drain", description = "Upgrade in place, without draining (work keeps running; the agent restarts).")
    boolean noDrain;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "30m",
            description = "How long a node may take to drain, and to be ready after (default: ${DEFAULT-VALUE}).")
    String drainTimeout;

    @Option(names = "--prefix", paramLabel = "DIR", defaultValue = "/opt/vigil",
            description = "Where the agent is on each host (default: ${DEFAULT-VALUE}).")
    String prefix;

    @Option(names = "--no-systemd", description = "The agents run in the background (installed with --no-systemd).")
    boolean noSystemd;

    @Option(names = "--sudo", description = "Restart the unit through 'sudo -n'.")
    boolean sudo;

    @Option(names = "--ready-timeout", paramLabel = "DURATION", defaultValue = "2m",
            description = "How long an upgraded agent may take to report (default: ${DEFAULT-VALUE}).")
    String readyTimeout;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (default: ${DEFAULT-VALUE}).")
    Output output;

    @Override
    public Integer call() throws Exception {
        List<SshTarget> targets;
        List<List<SshTarget>> plan;
        InstallSettings settings;
        try {
            targets = ssh.targets(hosts);
            plan = RolloutPlan.batches(targets, batches);
            RolloutPlan.allowedFailures(maxFail, 1);
            settings = new InstallSettings(distribution, prefix, List.of(), null, "auto", 0,
                    noSystemd ? InstallSettings.Service.BACKGROUND : InstallSettings.Service.SYSTEMD, sudo,
                    HumanDurations.parse(readyTimeout, "--ready-timeout"));
            if (!to.equals(settings.version())) {
                return Output.fail(spec, "--distribution " + distribution + " is version " + settings.version()
                        + ", not --to " + to, ProvisionExit.CONFIG);
            }
        } catch (IllegalArgumentException e) {
            return Output.fail(spec, e.getMessage(), ProvisionExit.CONFIG);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (dryRun) {
            printPlan(out, plan);
            return ProvisionExit.OK;
        }
        Installer installer;
        try {
            installer = new Installer(new Ssh(ssh.settings()), controller.rest(null), settings);
        } catch (IllegalArgumentException | IOException e) {
            return Output.fail(spec, e.getMessage(), ProvisionExit.CONFIG);
        }
        Rollout rollout = new Rollout(controller.rest(null), installer::upgrade, !noDrain,
                HumanDurations.parse(drainTimeout, "--drain-timeout"));
        List<Rollout.BatchResult> results = rollout.run(targets, batches, maxFail, "vigil provision upgrade --to " + to,
                new HostProgress(spec.commandLine().getErr(), targets.size(), output));
        print(out, results);
        boolean halted = results.stream().anyMatch(Rollout.BatchResult::halted);
        boolean failed = results.stream().anyMatch(b -> b.failures() > 0);
        return halted || failed ? ProvisionExit.FAILED : ProvisionExit.OK;
    }

    private void printPlan(PrintWriter out, List<List<SshTarget>> plan) throws IOException {
        if (output == Output.JSON) {
            out.println(Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(plan.stream()
                    .map(b -> Map.of("hosts", b.stream().map(SshTarget::name).toList())).toList()));
        } else {
            Columns table = new Columns("BATCH", "HOSTS", "NAMES");
            for (int i = 0; i < plan.size(); i++) {
                table.row(i == 0 ? "1 (canary)" : String.valueOf(i + 1), plan.get(i).size(),
                        String.join(",", plan.get(i).stream().map(SshTarget::name).toList()));
            }
            table.print(out);
            out.printf("%nto %s, %s; halts when a batch has more than %s failure(s)%n", to,
                    noDrain ? "in place" : "each node drained first and returned after", maxFail);
        }
        out.flush();
    }

    private void print(PrintWriter out, List<Rollout.BatchResult> results) throws IOException {
        if (output == Output.JSON) {
            out.println(Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(results));
        } else {
            Columns table = new Columns("BATCH", "HOST", "RESULT", "STEP", "DETAIL");
            for (Rollout.BatchResult batch : results) {
                if (batch.results().isEmpty()) {
                    table.row(batch.batch(), String.join(",", batch.hosts()), "not run", "-", "the rollout halted before it");
                }
                for (InstallResult r : batch.results()) {
                    table.row(batch.batch(), r.host(), r.ok() ? "ok" : "failed", r.step(), r.detail());
                }
            }
            table.print(out);
            results.stream().filter(Rollout.BatchResult::halted).findFirst().ifPresent(b -> out.printf(
                    "%nhalted: batch %d had %d failure(s), more than --max-fail %s%n", b.batch(), b.failures(), maxFail));
        }
        out.flush();
    }
}
