package dev.vigil.provisioning.inventory;

import org.junit.jupiter.api.Test;

import dev.vigil.provisioning.ssh.SshTarget;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AnsibleInventoryTest {
    @Test
    void groupsNodesByModelBackendGpuBackendAndState() {
        String ini = AnsibleInventory.render(List.of(
                new AnsibleInventory.Node("gpu-02", "NVIDIA H100 80GB HBM3", "slurm", "dcgm", "ready", null, null),
                new AnsibleInventory.Node("gpu-01", "NVIDIA H100 80GB HBM3", "slurm", "dcgm", "cordoned", null, null),
                new AnsibleInventory.Node("gpu-03", null, "none", null, "registered", null, null)));

        assertThat(ini).isEqualTo("""
                # Written by 'vigil provision ansible-inventory' from the controller's nodes.

                [gpu_nodes]
                gpu-01
                gpu-02
                gpu-03

                [model_nvidia_h100_80gb_hbm3]
                gpu-01
                gpu-02

                [model_unknown]
                gpu-03

                [backend_none]
                gpu-03

                [backend_slurm]
                gpu-01
                gpu-02

                [gpu_backend_dcgm]
                gpu-01
                gpu-02

                [gpu_backend_unknown]
                gpu-03

                [state_cordoned]
                gpu-01

                [state_ready]
                gpu-02

                [state_registered]
                gpu-03
                """);
    }

    @Test
    void nodesFromAHostsFileGetTheirAddressPortAndUserTheOthersTheirName() {
        String ini = AnsibleInventory.render(List.of(
                new AnsibleInventory.Node("gpu-01", "H100", "slurm", "dcgm", "ready", null, null),
                new AnsibleInventory.Node("gpu-02", "H100", "slurm", "dcgm", "ready", null, null),
                new AnsibleInventory.Node("gpu-03", "H100", "slurm", "dcgm", "ready", null, null)),
                Map.of("gpu-01", new SshTarget("gpu-01", "ops", "10.0.0.1", 2222),
                        "gpu-02", new SshTarget("gpu-02", null, "10.0.0.2", 22),
                        "elsewhere", new SshTarget("elsewhere", null, "10.0.0.9", 22)));

        assertThat(ini).startsWith("""
                # Written by 'vigil provision ansible-inventory' from the controller's nodes.

                [gpu_nodes]
                gpu-01 ansible_host=10.0.0.1 ansible_port=2222 ansible_user=ops
                gpu-02 ansible_host=10.0.0.2 ansible_port=22
                gpu-03

                [model_h100]
                gpu-01
                gpu-02
                gpu-03
                """).doesNotContain("elsewhere");
    }

    @Test
    void nodesInAPoolOrUnderALeafAreInItsGroupTheOthersInNone() {
        String ini = AnsibleInventory.render(List.of(
                new AnsibleInventory.Node("gpu-01", "H100", "slurm", "dcgm", "ready", "training", "leaf-07"),
                new AnsibleInventory.Node("gpu-02", "H100", "slurm", "dcgm", "ready", "training", "leaf-08"),
                new AnsibleInventory.Node("gpu-03", "H100", "slurm", "dcgm", "ready", "inference", "leaf-07"),
                new AnsibleInventory.Node("gpu-04", "H100", "slurm", "dcgm", "ready", null, null)));

        assertThat(ini).endsWith("""

                [state_ready]
                gpu-01
                gpu-02
                gpu-03
                gpu-04

                [pool_inference]
                gpu-03

                [pool_training]
                gpu-01
                gpu-02

                [leaf_leaf_07]
                gpu-01
                gpu-03

                [leaf_leaf_08]
                gpu-02
                """);
    }

    @Test
    void everyGroupNameIsOneAnsibleAcceptsWhateverTheValues() {
        String ini = AnsibleInventory.render(List.of(
                new AnsibleInventory.Node("gpu-01", "NVIDIA A100-SXM4-80GB", "slurm", "dcgm", "ready", "9-lives",
                        "Leaf \"7\" (row B)"),
                new AnsibleInventory.Node("gpu-02", "---", "", " ", null, "-", "")));

        List<String> groups = ini.lines().filter(line -> line.startsWith("[")).toList();

        assertThat(groups).allMatch(group -> group.matches("\\[[a-z_][a-z0-9_]*]"), "a valid Ansible group name")
                .contains("[model_nvidia_a100_sxm4_80gb]", "[pool_9_lives]", "[leaf_leaf_7_row_b]", "[model_unknown]",
                        "[backend_unknown]", "[gpu_backend_unknown]", "[state_unknown]", "[pool_unknown]",
                        "[leaf_unknown]");
    }
}
