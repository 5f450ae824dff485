package dev.vigil.agent.placement;

import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.placement.Enforcement;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementVerdict;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** A judgement as the agent reports it: what a process calls itself is made fit for the wire. */
class JudgementTest {
    private static final Instant SINCE = Instant.parse("2026-12-06T12:00:00Z");
    private static final GpuProcess ON_GPU_2 = new GpuProcess(4242, 2, 1, 0, 512);

    private static JudgedProcess judged(String command, Owner owner, PlacementVerdict verdict) {
        return new Judgement(ON_GPU_2, new ProcessIdentity(4242, 1001, command, owner, null), verdict, null)
                .judged(Enforcement.SIGTERM_SENT, SINCE);
    }

    @Test
    void aViolationCarriesWhoItIsWhatWasDoneAndSinceWhen() {
        JudgedProcess process = judged("miner", Owner.slurmJob("77"), PlacementVerdict.ROGUE);

        assertThat(process).isEqualTo(new JudgedProcess(2, 1, 4242, "1001", "miner", "slurm:77", null,
                PlacementVerdict.ROGUE, Enforcement.SIGTERM_SENT, SINCE));
    }

    @Test
    void aProcessThatViolatesNothingHasNoEnforcementNorSince() {
        JudgedProcess process = judged("python3", Owner.slurmJob("77"), PlacementVerdict.ALLOWED);

        assertThat(process.enforcement()).isNull();
        assertThat(process.since()).isNull();
    }

    @Test
    void aCommandWithoutANameIsUnknownAndControlCharactersAreDropped() {
        assertThat(judged("", Owner.UNKNOWN, PlacementVerdict.ROGUE).command()).isEqualTo("unknown");
        assertThat(judged("\n\t", Owner.UNKNOWN, PlacementVerdict.ROGUE).command()).isEqualTo("unknown");
        assertThat(judged(" python3", Owner.UNKNOWN, PlacementVerdict.ROGUE).command()).isEqualTo("python3");
        assertThat(judged("python3 ", Owner.UNKNOWN, PlacementVerdict.ROGUE).command()).isEqualTo("python3");
        assertThat(judged("pyth\u007fon", Owner.UNKNOWN, PlacementVerdict.ROGUE).command()).isEqualTo("python");
        assertThat(judged("evil\nplacement_violation\u001b[2J", Owner.UNKNOWN, PlacementVerdict.ROGUE).command())
                .isEqualTo("evilplacement_violation[2J");
        assertThat(judged("x".repeat(300), Owner.unit("a\u0007b.service"), PlacementVerdict.ROGUE))
                .satisfies(p -> {
                    assertThat(p.command()).hasSize(256);
                    assertThat(p.owner()).isEqualTo("unit:ab.service");
                });
    }

    @Test
    void rootIsUidZero() {
        assertThat(new Judgement(ON_GPU_2, new ProcessIdentity(4242, 0, "x", Owner.UNKNOWN, null),
                PlacementVerdict.ROGUE, null).judged(Enforcement.REPORTED, SINCE).user()).isEqualTo("0");
    }

    @Test
    void anUnknownUidIsShownAsUnknown() {
        assertThat(new Judgement(ON_GPU_2, new ProcessIdentity(4242, -1, "x", Owner.UNKNOWN, null),
                PlacementVerdict.ROGUE, null).judged(Enforcement.REPORTED, SINCE).user()).isEqualTo("unknown");
    }
}
