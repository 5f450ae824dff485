package dev.vigil.alerts.rules;

import dev.vigil.alerts.AlertsConfig;
import dev.vigil.alerts.fleet.Fleet;
import dev.vigil.alerts.fleet.FleetGpu;
import dev.vigil.alerts.fleet.FleetNode;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.placement.Enforcement;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementVerdict;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Placement violations as alert candidates: one per violating process, naming it. */
class PlacementConditionTest {
    private static final Instant NOW = Instant.parse("2026-12-07T03:00:00Z");

    private static JudgedProcess process(int gpu, long pid, PlacementVerdict verdict, String job,
                                         Enforcement enforcement) {
        return new JudgedProcess(gpu, null, pid, "1001", "python3", job == null ? "unknown" : "job:" + job, job,
                verdict, enforcement, NOW.minusSeconds(5));
    }

    private static Fleet fleet(List<JudgedProcess> onGpu0, List<JudgedProcess> onGpu1) {
        FleetGpu gpu0 = new FleetGpu(0, "GPU-a", "H100", HealthState.HEALTHY, null, null, null, null, null, false,
                null, onGpu0);
        FleetGpu gpu1 = new FleetGpu(1, "GPU-b", "H100", HealthState.HEALTHY, null, null, null, null, null, false,
                null, onGpu1);
        return new Fleet(List.of(new FleetNode("n1", NodeState.READY, NOW, List.of(gpu0, gpu1))), List.of(),
                List.of());
    }

    @Test
    void eachViolatingProcessIsOneCandidateWithItsPidAndWhoItIs() {
        Fleet fleet = fleet(List.of(process(0, 4242, PlacementVerdict.ROGUE, null, Enforcement.SIGTERM_SENT)),
                List.of(process(1, 77, PlacementVerdict.OVERREACH, "train-a", Enforcement.REPORTED)));
        assertThat(new Condition.PlacementViolation(null).evaluate(fleet, NOW)).satisfiesExactly(
                rogue -> {
                    assertThat(rogue.labels()).isEqualTo(Map.of("node", "n1", "gpu", "0", "uuid", "GPU-a",
                            "pid", "4242"));
                    assertThat(rogue.annotations()).isEqualTo(Map.of("verdict", "rogue", "user", "1001",
                            "command", "python3", "owner", "unknown", "job", "none", "enforcement", "sigterm-sent",
                            "since", "2026-12-07T02:59:55Z", "model", "H100"));
                    assertThat(rogue.value()).isEqualTo(4242.0);
                },
                overreach -> {
                    assertThat(overreach.labels()).containsEntry("gpu", "1").containsEntry("pid", "77");
                    assertThat(overreach.annotations()).containsEntry("verdict", "overreach")
                            .containsEntry("job", "train-a").containsEntry("enforcement", "reported");
                });
    }

    @Test
    void verdictsPickWhichViolationsCount() {
        Fleet fleet = fleet(List.of(process(0, 4242, PlacementVerdict.ROGUE, null, Enforcement.REPORTED)),
                List.of(process(1, 77, PlacementVerdict.OVERREACH, "train-a", Enforcement.REPORTED)));
        assertThat(new Condition.PlacementViolation(List.of(PlacementVerdict.OVERREACH)).evaluate(fleet, NOW))
                .singleElement().satisfies(c -> assertThat(c.labels()).containsEntry("pid", "77"));
        assertThat(new Condition.PlacementViolation(List.of()).verdicts()).as("empty means both")
                .containsExactly(PlacementVerdict.OVERREACH, PlacementVerdict.ROGUE);
        assertThat(new Condition.PlacementViolation(null).evaluate(fleet(List.of(), List.of()), NOW)).isEmpty();
    }

    @Test
    void aVerdictThatIsNoViolationIsRefusedNamingTheField() {
        InvalidDocumentException e = catchThrowableOfType(InvalidDocumentException.class,
                () -> AlertsConfig.parse("rules: [{alert: P, when: {placementViolation: {verdicts: [rogue, allowed]}}}]",
                        "alerts.yaml"));
        assertThat(e.field()).isEqualTo("rules[0].when.placementViolation.verdicts[1]");
        assertThat(e.getMessage()).contains("allowed").contains("overreach or rogue");
    }
}
