package dev.vigil.cli.provision;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vigil provision}: bring GPU hosts into the fleet over SSH. */
@Command(name = "provision",
        mixinStandardHelpOptions = true,
        description = {
                "Bring GPU hosts into the fleet over SSH, and keep their agents current.",
                "",
                "  preflight HOSTS            is each host ready: driver, GPUs, DCGM, fabric manager, NUMA, IB, clock, disk",
                "  install HOSTS              the agent: distribution, agent.yaml (0600), service; done when the controller",
                "                             shows the node ready",
                "  upgrade HOSTS --to V       rolling: a canary, then batches; halts when a batch fails",
                "  ansible-inventory          an Ansible inventory from the controller's nodes",
                "  ansible PLAYBOOK           ansible-playbook against that inventory, recorded in the audit log",
                "",
                "SSH: key authentication only; host keys are pinned in a known_hosts that vigil manages",
                "(~/.config/vigil/known_hosts). A host's first contact needs --accept-new-host-keys or",
                "--host-key-fingerprint HOST=SHA256:...; a changed key always fails, naming both fingerprints.",
                ""},
        subcommands = {PreflightCommand.class, InstallCommand.class, UpgradeCommand.class,
                AnsibleInventoryCommand.class, AnsibleCommand.class},
        footer = {"", "Examples:",
                "  vigil provision preflight hosts.txt --accept-new-host-keys",
                "  vigil provision install hosts.txt --controller http://ctl-1:8080 --token-file agent.token"})
public final class ProvisionCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
