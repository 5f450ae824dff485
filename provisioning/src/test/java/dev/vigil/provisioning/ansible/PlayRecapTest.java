package dev.vigil.provisioning.ansible;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PlayRecapTest {
    private static PlayRecap read(String output) {
        PlayRecap recap = new PlayRecap();
        output.lines().forEach(recap::accept);
        return recap;
    }

    @Test
    void readsEachHostOfTheRecapAndSumsThem() {
        PlayRecap recap = read("""
                PLAY [gpu_nodes] ***************************************************************

                TASK [vigil_agent : Unpack] ****************************************************
                changed: [gpu-01]

                PLAY RECAP *********************************************************************
                gpu-01                     : ok=5    changed=1    unreachable=0    failed=0    skipped=2    rescued=0    ignored=0
                gpu-02                     : ok=3    changed=0    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0
                gpu-03                     : ok=0    changed=0    unreachable=1    failed=0    skipped=0    rescued=0    ignored=0

                """);

        assertThat(recap.hosts()).containsOnlyKeys("gpu-01", "gpu-02", "gpu-03");
        assertThat(recap.hosts().get("gpu-02")).isEqualTo(new PlayRecap.Counts(3, 0, 0, 1));
        assertThat(recap.total()).isEqualTo(new PlayRecap.Counts(8, 1, 1, 1));
    }

    @Test
    void aLineThatLooksLikeARecapBeforeTheRecapIsNotCounted() {
        PlayRecap recap = read("""
                TASK [debug] *******************************************************************
                gpu-09 : ok=99 changed=99 unreachable=0 failed=0
                PLAY RECAP *********************************************************************
                gpu-01 : ok=1 changed=0 unreachable=0 failed=0 skipped=0
                """);

        assertThat(recap.hosts()).containsOnlyKeys("gpu-01");
    }

    @Test
    void colourEscapesAreIgnored() {
        PlayRecap recap = read("\u001B[0;33mPLAY RECAP\u001B[0m ***\n"
                + "\u001B[0;33mgpu-01\u001B[0m                     : \u001B[0;32mok=4   \u001B[0m \u001B[0;33mchanged=2   "
                + "\u001B[0m unreachable=0    failed=0    skipped=0\n");

        assertThat(recap.total()).isEqualTo(new PlayRecap.Counts(4, 2, 0, 0));
    }

    @Test
    void noRecapCountsNothing() {
        PlayRecap recap = read("ERROR! the playbook: nope.yml could not be found\n");

        assertThat(recap.hosts()).isEmpty();
        assertThat(recap.total()).isEqualTo(new PlayRecap.Counts(0, 0, 0, 0));
    }
}
