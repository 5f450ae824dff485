package dev.vigil.controller.placement;

import dev.vigil.api.cluster.CordonedGpu;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.Severity;
import dev.vigil.api.placement.Enforcement;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementVerdict;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The leader's step on a report's placement violations: audit each new action once, cordon under cordon-gpu. */
class PlacementReflexTest {
    private static final Instant NOW = Instant.parse("2026-12-07T02:00:00Z");
    private static final NodeInventory INVENTORY = new NodeInventory("n1", "simulated", "550",
            List.of(gpu(0), gpu(1), gpu(2)), null);

    private static GpuDevice gpu(int index) {
        return new GpuDevice(index, "GPU-" + index, "NVIDIA H100 80GB HBM3", "00000000:1" + index + ":00.0",
                "0x233010DE", 81_920, 0, "0-63", 18, List.of(), null);
    }

    private static JudgedProcess process(int gpu, long pid, PlacementVerdict verdict, Enforcement enforcement) {
        return new JudgedProcess(gpu, null, pid, "1001", "xmrig", "unknown", verdict == PlacementVerdict.OVERREACH
                ? "train-a" : null, verdict, enforcement, NOW.minusSeconds(3));
    }

    private static PlacementReflex.Step step(List<JudgedProcess> before, List<JudgedProcess> now,
                                             List<CordonedGpu> cordoned) {
        return PlacementReflex.apply("n1", INVENTORY, before, now, cordoned, NOW);
    }

    @Test
    void reportingIsNoActionAndChangesNothing() {
        PlacementReflex.Step step = step(List.of(), List.of(process(1, 40, PlacementVerdict.ROGUE,
                Enforcement.REPORTED)), List.of());
        assertThat(step.audits()).isEmpty();
        assertThat(step.events()).isEmpty();
        assertThat(step.cordonedGpus()).isEmpty();
    }

    @Test
    void eachSignalIsAuditedOnceNamingTheProcessAndAFailedOneAsFailed() {
        JudgedProcess term = process(1, 40, PlacementVerdict.ROGUE, Enforcement.SIGTERM_SENT);
        PlacementReflex.Step first = step(List.of(), List.of(term), List.of());
        assertThat(first.audits()).singleElement().satisfies(entry -> {
            assertThat(entry.actor()).isEqualTo("placement");
            assertThat(entry.action()).isEqualTo("placement sigterm-sent");
            assertThat(entry.detail()).isEqualTo("rogue pid 40 on gpu 1 of n1 (user 1001, command xmrig, owner unknown, "
                    + "job none)");
            assertThat(entry.result()).isEqualTo("applied");
            assertThat(entry.remote()).isEqualTo("n1");
            assertThat(entry.time()).isEqualTo(NOW);
        });
        assertThat(step(List.of(term), List.of(term), List.of()).audits()).as("the same action again").isEmpty();
        JudgedProcess kill = process(1, 40, PlacementVerdict.ROGUE, Enforcement.SIGKILL_SENT);
        assertThat(step(List.of(term), List.of(kill), List.of()).audits()).singleElement()
                .satisfies(entry -> assertThat(entry.action()).isEqualTo("placement sigkill-sent"));
        JudgedProcess failed = process(2, 41, PlacementVerdict.OVERREACH, Enforcement.SIGNAL_FAILED);
        assertThat(step(List.of(), List.of(failed), List.of()).audits()).singleElement().satisfies(entry -> {
            assertThat(entry.result()).isEqualTo("failed");
            assertThat(entry.detail()).contains("overreach pid 41").contains("job train-a");
        });
        assertThat(step(List.of(), List.of(failed), List.of()).cordonedGpus()).isEmpty();
    }

    @Test
    void cordonGpuCordonsTheProcessesGpuWithAnEventAndAnAuditEntry() {
        List<CordonedGpu> before = List.of(new CordonedGpu(2, "GPU-2", "ecc", "olga", NOW.minusSeconds(60)));
        PlacementReflex.Step step = step(List.of(), List.of(process(1, 40, PlacementVerdict.ROGUE,
                Enforcement.CORDON_GPU)), before);
        assertThat(step.cordonedGpus()).extracting(CordonedGpu::gpu).containsExactly(1, 2);
        CordonedGpu cordon = step.cordonedGpus().get(0);
        assertThat(cordon.uuid()).isEqualTo("GPU-1");
        assertThat(cordon.actor()).isEqualTo("placement");
        assertThat(cordon.since()).isEqualTo(NOW);
        assertThat(cordon.reason()).isEqualTo("placement: rogue pid 40 on gpu 1 of n1 (user 1001, command xmrig, "
                + "owner unknown, job none)");
        assertThat(step.events()).singleElement().satisfies(event -> {
            assertThat(event.kind()).isEqualTo("cordon");
            assertThat(event.gpu()).isEqualTo(1);
            assertThat(event.severity()).isEqualTo(Severity.WARNING);
            assertThat(event.message()).startsWith("cordoned gpu 1 of n1: placement: rogue pid 40");
        });
        assertThat(step.audits()).singleElement().satisfies(entry -> {
            assertThat(entry.action()).isEqualTo("placement cordon-gpu");
            assertThat(entry.result()).isEqualTo("gpu 1 of n1: not cordoned -> cordoned");
        });
    }

    @Test
    void aCordonedGpuAnUnknownGpuOrAProcessAlreadySeenIsNotCordonedAgain() {
        JudgedProcess onCordoned = process(2, 40, PlacementVerdict.ROGUE, Enforcement.CORDON_GPU);
        List<CordonedGpu> cordoned = List.of(new CordonedGpu(2, "GPU-2", "ecc", "olga", NOW));
        PlacementReflex.Step already = step(List.of(), List.of(onCordoned), cordoned);
        assertThat(already.cordonedGpus()).isEqualTo(cordoned);
        assertThat(already.audits()).isEmpty();
        assertThat(already.events()).isEmpty();

        JudgedProcess nowhere = process(7, 41, PlacementVerdict.ROGUE, Enforcement.CORDON_GPU);
        assertThat(step(List.of(), List.of(nowhere), List.of()).cordonedGpus()).isEmpty();
        assertThat(PlacementReflex.apply("n1", null, List.of(), List.of(onCordoned), List.of(), NOW).cordonedGpus())
                .as("no inventory").isEmpty();

        JudgedProcess seen = process(1, 42, PlacementVerdict.ROGUE, Enforcement.CORDON_GPU);
        assertThat(step(List.of(seen), List.of(seen), List.of()).cordonedGpus())
                .as("an operator's uncordon stands while the same process runs").isEmpty();
    }
}
