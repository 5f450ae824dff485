package dev.vigil.provisioning.inventory;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AnsibleInventoryTest {
    @Test
    void groupsNodesByModelBackendGpuBackendAndState() {
        String ini = AnsibleInventory.render(List.of(
                new AnsibleInventory.Node("gpu-02", "NVIDIA H100 80GB HBM3", "slurm", "dcgm", "ready"),
                new AnsibleInventory.Node("gpu-01", "NVIDIA H100 80GB HBM3", "slurm", "dcgm", "cordoned"),
                new AnsibleInventory.Node("gpu-03", null, "none", null, "registered")));

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
    void groupNamesAreWhatAnsibleAccepts() {
        assertThat(AnsibleInventory.groupName("NVIDIA A100-SXM4-80GB")).isEqualTo("nvidia_a100_sxm4_80gb");
        assertThat(AnsibleInventory.groupName(" ")).isEqualTo("unknown");
    }
}
