package dev.vigil.slurm.conf;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The driver's MIG capability minors, checked against the numbers NVIDIA and Slurm users have published. */
class MigMinorsTest {
    @Test
    void theFirstGpuInstanceFollowsConfigAndMonitor() {
        assertThat(MigMinors.gpuInstance(0, 0)).isEqualTo(3);
        assertThat(MigMinors.computeInstance(0, 0, 0)).isEqualTo(4);
    }

    @Test
    void theMigUserGuidesExamples() {
        // GPU instance 1 with compute instances 0-2: caps 12 to 15
        assertThat(MigMinors.gpuInstance(0, 1)).isEqualTo(12);
        assertThat(MigMinors.computeInstance(0, 1, 0)).isEqualTo(13);
        assertThat(MigMinors.computeInstance(0, 1, 2)).isEqualTo(15);
        // the last line of mig-minors
        assertThat(MigMinors.computeInstance(31, 14, 7)).isEqualTo(4322);
    }

    @Test
    void aSecondGpuStarts135Later() {
        // a gres.conf of seven 1g.10gb on a second A100: GPU instance 7 is caps 201 and 202
        assertThat(MigMinors.gpuInstance(1, 7)).isEqualTo(201);
        assertThat(MigMinors.computeInstance(1, 7, 0)).isEqualTo(202);
    }
}
