package dev.vigil.agent.placement;

import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.placement.PlacementVerdict;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class PlacementJudgeTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final long AGENT_PID = 4000;
    private static final PlacementRules RULES = PlacementRules.defaults(AGENT_PID);
    /** train-a runs under Slurm on GPUs 0-1; sim-b is run by the agent on GPU 2; slice-c holds GI 3 and 5 of GPU 3. */
    private static final List<Allocation> ALLOCATIONS = List.of(
            allocation("train-a", List.of(0, 1), List.of(), "slurm:1234"),
            allocation("sim-b", List.of(2), List.of(), null),
            allocation("slice-c", List.of(3), List.of(3, 5), "slurm:77"));

    private static Allocation allocation(String job, List<Integer> gpus, List<Integer> slices, String backendJob) {
        return new Allocation(job, null, JobKind.TRAINING, gpus, List.of(), slices, List.of("run"), null, Map.of(), 1,
                backendJob);
    }

    private static ProcessIdentity identity(long pid, String command, Owner owner) {
        return new ProcessIdentity(pid, 1000, command, owner, null);
    }

    static Stream<Arguments> verdicts() {
        return Stream.of(
                Arguments.of("slurm job on its GPU", 0, null, identity(1, "python3", Owner.slurmJob("1234")),
                        PlacementVerdict.ALLOWED, "train-a"),
                Arguments.of("slurm job on its other GPU", 1, null, identity(1, "python3", Owner.slurmJob("1234")),
                        PlacementVerdict.ALLOWED, "train-a"),
                Arguments.of("agent-run job on its GPU", 2, null, identity(2, "sim", Owner.vigilJob("sim-b")),
                        PlacementVerdict.ALLOWED, "sim-b"),
                Arguments.of("slurm job on a GPU of another job", 2, null, identity(3, "python3",
                        Owner.slurmJob("1234")), PlacementVerdict.OVERREACH, "train-a"),
                Arguments.of("slurm job on a GPU nobody holds", 4, null, identity(3, "python3",
                        Owner.slurmJob("1234")), PlacementVerdict.OVERREACH, "train-a"),
                Arguments.of("agent-run job on another GPU", 0, null, identity(4, "sim", Owner.vigilJob("sim-b")),
                        PlacementVerdict.OVERREACH, "sim-b"),
                Arguments.of("slice job in its instance", 3, 5, identity(5, "infer", Owner.slurmJob("77")),
                        PlacementVerdict.ALLOWED, "slice-c"),
                Arguments.of("slice job in another instance", 3, 1, identity(5, "infer", Owner.slurmJob("77")),
                        PlacementVerdict.OVERREACH, "slice-c"),
                Arguments.of("whole-GPU job in an instance of its GPU", 0, 1, identity(1, "python3",
                        Owner.slurmJob("1234")), PlacementVerdict.ALLOWED, "train-a"),
                Arguments.of("unknown owner on a held GPU", 0, null, identity(6, "xmrig", Owner.UNKNOWN),
                        PlacementVerdict.ROGUE, null),
                Arguments.of("unknown owner on a free GPU", 4, null, identity(6, "xmrig", Owner.UNKNOWN),
                        PlacementVerdict.ROGUE, null),
                Arguments.of("slurm job not allocated here", 0, null, identity(7, "python3", Owner.slurmJob("999")),
                        PlacementVerdict.ROGUE, null),
                Arguments.of("pod not allocated here", 0, null, identity(8, "python3",
                        Owner.pod("1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e")), PlacementVerdict.ROGUE, null),
                Arguments.of("user unit", 0, null, identity(9, "jupyter", Owner.unit("jupyter.service")),
                        PlacementVerdict.ROGUE, null),
                Arguments.of("persistenced by its truncated comm", 0, null, identity(10, "nvidia-persiste",
                        Owner.UNKNOWN), PlacementVerdict.SYSTEM, null),
                Arguments.of("fabric manager by its unit", 4, null, identity(11, "fm",
                        Owner.unit("nv-fabricmanager.service")), PlacementVerdict.SYSTEM, null),
                Arguments.of("hostengine by its comm", 1, null, identity(12, "nv-hostengine", Owner.UNKNOWN),
                        PlacementVerdict.SYSTEM, null),
                Arguments.of("dcgm-exporter in a pod", 2, null, identity(13, "dcgm-exporter",
                        Owner.pod("1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e")), PlacementVerdict.SYSTEM, null),
                Arguments.of("the agent itself", 3, null, identity(AGENT_PID, "java", Owner.UNKNOWN),
                        PlacementVerdict.SYSTEM, null),
                Arguments.of("a longer name is not a system one", 0, null, identity(14, "nv-hostengine2",
                        Owner.UNKNOWN), PlacementVerdict.ROGUE, null),
                Arguments.of("a short prefix of a system name is not one (only a 15-character comm is cut)", 0, null,
                        identity(15, "nv-host", Owner.UNKNOWN), PlacementVerdict.ROGUE, null),
                Arguments.of("a cut comm that starts no system name is not one", 0, null,
                        identity(16, "python3-trainer", Owner.UNKNOWN), PlacementVerdict.ROGUE, null),
                Arguments.of("a scope named like a system service is not one", 4, null, identity(17, "fm",
                        Owner.unit("nv-fabricmanager.scope")), PlacementVerdict.ROGUE, null),
                Arguments.of("a service whose name only starts like a system one is not one", 4, null,
                        identity(18, "fm", Owner.unit("nv-fabricmanager2.service")), PlacementVerdict.ROGUE, null),
                Arguments.of("a service whose name only ends like a system one is not one", 4, null,
                        identity(19, "fm", Owner.unit("xv-fabricmanager.service")), PlacementVerdict.ROGUE, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("verdicts")
    void verdict(String name, int gpu, Integer instance, ProcessIdentity identity, PlacementVerdict verdict, String job) {
        GpuProcess process = new GpuProcess(identity.pid(), gpu, instance, instance == null ? null : 0, 100);

        List<Judgement> judgements = PlacementJudge.judge(List.of(process), Map.of(identity.pid(), identity),
                ALLOCATIONS, Map.of(), RULES, NOW);

        assertThat(judgements).containsExactly(new Judgement(process, identity, verdict, job));
    }

    @Test
    void aProcessThatWentAwayIsLeftOut() {
        ProcessIdentity rogue = identity(6, "xmrig", Owner.UNKNOWN);
        GpuProcess kept = new GpuProcess(6, 0, null, null, 1);

        List<Judgement> judgements = PlacementJudge.judge(List.of(new GpuProcess(5, 0, null, null, 1), kept),
                Map.of(6L, rogue), ALLOCATIONS, Map.of(), RULES, NOW);

        assertThat(judgements).extracting(Judgement::process).containsExactly(kept);
    }

    @Test
    void processesOnAGpuWithinTheGraceWindowAreNotJudged() {
        ProcessIdentity rogue = identity(6, "xmrig", Owner.UNKNOWN);
        GpuProcess onZero = new GpuProcess(6, 0, null, null, 1);
        GpuProcess onOne = new GpuProcess(6, 1, null, null, 1);
        Duration grace = RULES.grace();

        assertThat(verdicts(List.of(onZero, onOne), rogue, Map.of(0, NOW.minus(grace).plusMillis(1))))
                .containsExactly(PlacementVerdict.UNJUDGED, PlacementVerdict.ROGUE);
        assertThat(verdicts(List.of(onZero), rogue, Map.of(0, NOW.minus(grace)))).containsExactly(PlacementVerdict.ROGUE);
        assertThat(verdicts(List.of(onZero), rogue, Map.of(0, NOW))).containsExactly(PlacementVerdict.UNJUDGED);
    }

    @Test
    void systemProcessesAreSystemEvenWithinTheGraceWindow() {
        ProcessIdentity hostengine = identity(12, "nv-hostengine", Owner.UNKNOWN);

        assertThat(verdicts(List.of(new GpuProcess(12, 0, null, null, 1)), hostengine, Map.of(0, NOW)))
                .containsExactly(PlacementVerdict.SYSTEM);
    }

    @Test
    void aConfiguredSystemListReplacesTheDefaults() {
        PlacementRules rules = new PlacementRules(List.of("my-daemon"), AGENT_PID, Duration.ofSeconds(30));
        GpuProcess process = new GpuProcess(12, 4, null, null, 1);

        assertThat(PlacementJudge.judge(List.of(process, new GpuProcess(13, 4, null, null, 1)),
                Map.of(12L, identity(12, "nv-hostengine", Owner.UNKNOWN), 13L, identity(13, "my-daemon",
                        Owner.UNKNOWN)), ALLOCATIONS, Map.of(), rules, NOW))
                .extracting(Judgement::verdict).containsExactly(PlacementVerdict.ROGUE, PlacementVerdict.SYSTEM);
    }

    private static List<PlacementVerdict> verdicts(List<GpuProcess> processes, ProcessIdentity identity,
                                          Map<Integer, Instant> changedAt) {
        return PlacementJudge.judge(processes, Map.of(identity.pid(), identity), ALLOCATIONS, changedAt, RULES, NOW)
                .stream().map(Judgement::verdict).toList();
    }
}
