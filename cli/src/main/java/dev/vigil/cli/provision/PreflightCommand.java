package dev.vigil.cli.provision;

import dev.vigil.api.binding.Documents;
import dev.vigil.provisioning.preflight.CheckResult;
import dev.vigil.provisioning.preflight.HostReport;
import dev.vigil.provisioning.preflight.Preflight;
import dev.vigil.provisioning.preflight.Status;
import dev.vigil.provisioning.ssh.Ssh;
import dev.vigil.provisioning.ssh.SshTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code vigil provision preflight HOSTS}: is each host ready for the agent? */
@Command(name = "preflight",
        mixinStandardHelpOptions = true,
        description = {
                "Check hosts before the agent goes on them: one SSH command per host, read-only.",
                "",
                "  os              distribution (tested: Ubuntu 22.04/24.04, Debian 12, RHEL/Rocky 8/9)",
                "  kernel          its release",
                "  driver          nvidia-smi: driver version (one for all GPUs, branch 535 or newer), GPU count",
                "                  and models (--gpus N: the count it must have)",
                "  persistence     persistence mode on every GPU",
                "  dcgm            DCGM installed and nv-hostengine running (else the agent uses NVML: warn)",
                "  fabric-manager  on 8-GPU NVSwitch boards (SXM/HBM3): installed, running, and the driver's exact",
                "                  version (it refuses to start otherwise)",
                "  numa            NUMA nodes, and each GPU's",
                "  infiniband      every IB/RoCE port ACTIVE (none: warn)",
                "  clock           within 1 s of this machine (5 s: fail) and NTP synchronized",
                "  disk            free space on / and /var (10 GiB: warn, 2 GiB: fail)",
                "  agent-port      the agent's port free",
                "",
                "Each check passes, warns or fails and says why; a host fails with its worst check. Exit",
                "status 0 when no host fails, 1 when one does, 2 for bad options.",
                ""},
        footer = {"", "Examples:",
                "  vigil provision preflight gpu-01,gpu-02 --accept-new-host-keys   # first contact: pin their keys",
                "  vigil provision preflight hosts.txt --user ops -i ~/.ssh/fleet --gpus 8",
                "  vigil provision preflight hosts.txt -o json | jq '.[] | select(.status == \"fail\")'",
                "",
                "A hosts file has one host a line: [NAME] [user@]address[:port], # comments."})
final class PreflightCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    SshOptions ssh;

    @Parameters(index = "0", arity = "0..1", paramLabel = "HOSTS",
            description = "A hosts file, or a comma list of [user@]host[:port]; or --partition P instead.")
    String hosts;

    @Option(names = "--agent-port", paramLabel = "PORT", defaultValue = "9400",
            description = "The port the agent will listen on (default: ${DEFAULT-VALUE}).")
    int agentPort;

    @Option(names = "--gpus", paramLabel = "N", description = "GPUs each host must have (default: whatever it has).")
    Integer gpus;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (default: ${DEFAULT-VALUE}).")
    Output output;

    @Override
    public Integer call() throws Exception {
        List<SshTarget> targets;
        Preflight preflight;
        try {
            targets = ssh.targets(hosts);
            preflight = new Preflight(new Ssh(ssh.settings()), Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            return Output.fail(spec, e.getMessage(), ProvisionExit.CONFIG);
        }
        List<HostReport> reports = preflight.run(targets, agentPort, gpus, ssh.parallel);
        PrintWriter out = spec.commandLine().getOut();
        if (output == Output.JSON) {
            out.println(Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(reports));
        } else {
            Columns table = new Columns("HOST", "CHECK", "STATUS", "DETAIL");
            for (HostReport report : reports) {
                for (CheckResult check : report.checks()) {
                    table.row(report.host(), check.check(), check.status().wire(), check.detail());
                }
            }
            table.print(out);
            long failed = reports.stream().filter(r -> r.status() == Status.FAIL).count();
            out.println();
            out.println(reports.size() + " host(s): " + (reports.size() - failed) + " ready, " + failed + " failing");
        }
        out.flush();
        return reports.stream().anyMatch(r -> r.status() == Status.FAIL) ? ProvisionExit.FAILED : ProvisionExit.OK;
    }
}
