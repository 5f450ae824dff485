package dev.vigil.agent.placement;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** An owner compared with an allocation's backend job id, as the judge does for every process. */
class OwnerTest {
    @Test
    void isWireMatchesExactlyItsWireForm() {
        Owner job = Owner.slurmJob("1234");

        assertThat(job.isWire("slurm:1234")).isTrue();
        assertThat(job.isWire("slurm:12345")).isFalse();
        assertThat(job.isWire("slurm:123")).isFalse();
        assertThat(job.isWire("slurm-1234")).isFalse();
        assertThat(job.isWire("pod:1234")).isFalse();
        assertThat(job.isWire("slurm:1235")).isFalse();
        assertThat(job.isWire("xlurm:1234")).isFalse();
        assertThat(job.isWire(null)).isFalse();
        assertThat(Owner.pod("ab-cd").isWire("pod:ab-cd")).isTrue();
        assertThat(Owner.UNKNOWN.isWire("unknown")).isTrue();
        assertThat(Owner.UNKNOWN.isWire(null)).isFalse();
    }
}
