package dev.vigil.cli.provision;

import dev.vigil.api.provisioning.AnsibleRun;
import dev.vigil.provisioning.ansible.PlayRecap;
import dev.vigil.provisioning.ansible.PlaybookRun;
import dev.vigil.provisioning.install.ControllerRest;
import dev.vigil.provisioning.inventory.AnsibleInventory;
import dev.vigil.provisioning.ssh.SshTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;

/** {@code vigil provision ansible PLAYBOOK}: ansible-playbook against the fleet's inventory, recorded in the audit log. */
@Command(name = "ansible",
        mixinStandardHelpOptions = true,
        description = {
                "Run ansible-playbook against the fleet and record the run in the controller's audit log.",
                "",
                "The inventory is what 'vigil provision ansible-inventory' writes (groups gpu_nodes, model_*,",
                "backend_*, gpu_backend_*, state_*). The record says who, the playbook, --limit, --check, the exit",
                "status and the recap's ok/changed/unreachable/failed counts (POST /v1/provisioning/ansible-runs,",
                "role operator).",
                "",
                "ansible-playbook's output streams as it comes; its exit status is this command's. A run that",
                "cannot be recorded says so on stderr and exits 1 if ansible-playbook itself exited 0.",
                "",
                "Nodes whose names do not resolve get their address from --hosts (a hosts file as the other",
                "provision commands take). With -i or --known-hosts, ansible's ssh logs in with that key and",
                "trusts only the host keys pinned in that known_hosts (StrictHostKeyChecking=yes).",
                ""},
        footer = {"", "Examples:",
                "  vigil provision ansible ansible/gpu_nodes.yml --limit 'model_nvidia_h100_80gb_hbm3:&state_ready' --check",
                "  vigil provision ansible ansible/site.yml --limit gpu-017 -e nvidia_driver_skip_reboot=true",
                "  vigil provision ansible ansible/gpu_nodes.yml --hosts hosts.txt -i ~/.ssh/fleet \\",
                "      --known-hosts ~/.config/vigil/known_hosts"})
final class AnsibleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControllerOption controller;

    @Parameters(index = "0", paramLabel = "PLAYBOOK", description = "The playbook, e.g. ansible/gpu_nodes.yml.")
    String playbook;

    @Option(names = "--limit", paramLabel = "PATTERN", description = "ansible-playbook's --limit: hosts or groups.")
    String limit;

    @Option(names = "--check", description = "Check mode: report what would change, change nothing.")
    boolean check;

    @Option(names = {"-e", "--extra-vars"}, paramLabel = "KEY=VALUE",
            description = "An extra variable (or JSON), passed to ansible-playbook as given; repeatable.")
    List<String> extraVars = new ArrayList<>();

    @Option(names = "--hosts", paramLabel = "HOSTS",
            description = "Where to reach nodes: a hosts file ([NAME] [user@]address[:port] per line) or a comma list.")
    String hosts;

    @Option(names = {"-i", "--identity"}, paramLabel = "FILE", description = "The private key ansible's ssh logs in with.")
    Path identity;

    @Option(names = "--known-hosts", paramLabel = "FILE",
            description = "The known_hosts vigil manages: ansible's ssh trusts only the keys pinned there.")
    Path knownHosts;

    @Option(names = "--ansible-playbook", paramLabel = "PROGRAM", defaultValue = "ansible-playbook",
            description = "The ansible-playbook to run (default: ${DEFAULT-VALUE} on the PATH).")
    String program;

    @Override
    public Integer call() throws Exception {
        ControllerRest rest;
        Path inventory;
        PlaybookRun run;
        try {
            rest = controller.rest(null);
            inventory = inventory(rest);
            run = new PlaybookRun(program, inventory, playbook, limit, check, extraVars, sshArgs());
        } catch (IllegalArgumentException e) {
            return Output.fail(spec, e.getMessage(), ProvisionExit.CONFIG);
        } catch (IOException e) {
            return Output.fail(spec, "cannot read the nodes: " + e.getMessage(), ProvisionExit.FAILED);
        }
        PrintWriter out = spec.commandLine().getOut();
        PlaybookRun.Outcome outcome;
        try {
            outcome = run.run(line -> {
                out.println(line);
                out.flush();
            });
        } catch (IOException e) {
            return Output.fail(spec, "cannot run " + program + ": " + e.getMessage(), ProvisionExit.FAILED);
        } finally {
            Files.deleteIfExists(inventory);
        }
        return record(rest, outcome);
    }

    private Path inventory(ControllerRest rest) throws IOException, InterruptedException {
        Map<String, SshTarget> addresses = hosts == null ? Map.of() : new SshOptions().targets(hosts).stream()
                .collect(Collectors.toMap(SshTarget::name, Function.identity()));
        String ini = AnsibleInventory.render(rest.inventoryNodes(), addresses);
        Path file = Files.createTempFile("vigil-inventory", ".ini",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, ini, StandardCharsets.UTF_8);
        return file;
    }

    private PlaybookRun.SshArgs sshArgs() {
        if (identity == null && knownHosts == null) {
            return null;
        }
        if (identity == null || knownHosts == null) {
            throw new IllegalArgumentException("-i and --known-hosts go together: ansible's ssh needs both the key "
                    + "and the pinned host keys");
        }
        return new PlaybookRun.SshArgs(identity, knownHosts);
    }

    private int record(ControllerRest rest, PlaybookRun.Outcome outcome) throws InterruptedException {
        PlayRecap.Counts total = outcome.recap().total();
        AnsibleRun run = new AnsibleRun(playbook, limit, check, outcome.exitCode(), outcome.recap().hosts().size(),
                total.ok(), total.changed(), total.unreachable(), total.failed());
        try {
            long seq = rest.recordAnsibleRun(run);
            PrintWriter err = spec.commandLine().getErr();
            err.println(spec.qualifiedName() + ": recorded in the controller's audit log (entry " + seq + "): "
                    + run.describe());
            err.flush();
        } catch (IOException e) {
            Output.fail(spec, "the run was not recorded in the audit log: " + e.getMessage(), ProvisionExit.FAILED);
            return outcome.exitCode() == 0 ? ProvisionExit.FAILED : outcome.exitCode();
        }
        return outcome.exitCode();
    }
}
