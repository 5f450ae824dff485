package dev.vigil.cli.provision;

import dev.vigil.provisioning.inventory.AnsibleInventory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code vigil provision ansible-inventory}: an Ansible inventory from the controller's nodes. */
@Command(name = "ansible-inventory",
        mixinStandardHelpOptions = true,
        description = {
                "Print an Ansible inventory (INI) of the fleet from the controller's nodes.",
                "",
                "The nodes come from GET /v1/nodes and each node's record.",
                "Every node is in gpu_nodes (what ansible/gpu_nodes.yml targets) and in one group of each kind:",
                "  model_*         its GPU model, e.g. model_nvidia_h100_80gb_hbm3",
                "  backend_*       its execution backend: slurm, kubernetes, none",
                "  gpu_backend_*   how its agent reads the GPUs: dcgm, nvml, simulated",
                "  state_*         ready, cordoned, draining, drained, unknown, registered",
                "  pool_*          its node pool (scheduler.pools in the controller's config), if in one",
                "  leaf_*          its leaf switch (fabric in the controller's config), if the fabric lists it",
                "A node that has not reported its inventory lands in the _unknown group of that kind.",
                ""},
        footer = {"", "Examples:",
                "  vigil provision ansible-inventory --url http://ctl-1:8080 > inventory.ini",
                "  ansible-playbook -i inventory.ini ansible/gpu_nodes.yml --limit 'model_nvidia_h100_80gb_hbm3:&state_ready'",
                "  ansible-playbook -i inventory.ini ansible/gpu_nodes.yml --limit 'pool_training:&leaf_leaf_07'"})
final class AnsibleInventoryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControllerOption controller;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        try {
            out.print(AnsibleInventory.render(controller.rest(null).inventoryNodes()));
        } catch (IllegalArgumentException e) {
            return Output.fail(spec, e.getMessage(), ProvisionExit.CONFIG);
        } catch (IOException e) {
            return Output.fail(spec, "cannot read the nodes: " + e.getMessage(), ProvisionExit.FAILED);
        }
        out.flush();
        return ProvisionExit.OK;
    }
}
