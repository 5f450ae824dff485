package dev.vigil.agent.placement;

import dev.vigil.agent.sampling.EventLog;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementPolicy;
import dev.vigil.api.placement.PlacementVerdict;
import dev.vigil.gpu.nvml.FakeNvml;
import dev.vigil.gpu.nvml.NvmlBackend;
import dev.vigil.testsupport.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * One pass on the NVML backend over the fake libnvidia-ml: the driver's process lists, a fake /proc tree with each
 * owner layout (Slurm cgroup v1 and v2, kubepods under the systemd and the cgroupfs drivers, a login session, a
 * system unit), and the node's allocations: Slurm job 1234 holds GPU 0, pod SERVE holds GPU 1.
 */
class PlacementOnFakeNvmlTest {
    private static final Instant T0 = Instant.parse("2026-12-07T03:00:00Z");
    private static final String SERVE = "1f2e3d4c-5b6a-4789-8abc-def012345678";
    private static final String OTHER_POD = "9a8b7c6d-1234-4abc-9def-0123456789ab";

    @TempDir
    Path root;

    @Test
    void eachProcessTheDriverListsIsAttributedToItsOwnerAndJudged() throws Exception {
        FakeNvml fake = FakeNvml.reset(4, "NVIDIA H100 80GB HBM3");
        fake.fake_nvml_add_process(0, 101, FakeNvml.MIB, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE);
        fake.fake_nvml_add_process(2, 102, FakeNvml.MIB, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE);
        fake.fake_nvml_add_process(1, 103, FakeNvml.MIB, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE);
        fake.fake_nvml_add_process(1, 104, FakeNvml.MIB, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE);
        fake.fake_nvml_add_process(3, 105, FakeNvml.MIB, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE);
        fake.fake_nvml_add_process(3, 106, FakeNvml.MIB, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE);
        new FakeProc(root)
                .process(101, "4:devices:/slurm/uid_1001/job_1234/step_0/task_0\n", 1001, "python3")
                .process(102, "0::/system.slice/slurmstepd.scope/job_1234/step_0/user/task_0\n", 1001, "python3")
                .process(103, "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
                        + SERVE.replace('-', '_') + ".slice/cri-containerd-0a1b.scope\n", 0, "tritonserver")
                .process(104, "11:devices:/kubepods/besteffort/pod" + OTHER_POD + "/0a1b2c3d\n", 0, "python3")
                .process(105, "0::/user.slice/user-1002.slice/session-7.scope\n", 1002, "jupyter-lab")
                .process(106, "0::/system.slice/nvidia-dcgm.service\n", 0, "nv-hostengine");
        MutableClock clock = new MutableClock(T0);
        try (NvmlBackend backend = FakeNvml.open();
             PlacementEnforcer enforcer = new PlacementEnforcer("n1", backend, new ProcAttribution(root),
                     () -> allocations(backend), () -> PlacementPolicy.REPORT, new NoSignals(),
                     new PlacementRules(PlacementRules.DEFAULT_SYSTEM, ProcessHandle.current().pid(),
                             Duration.ofSeconds(30)), new EventLog(100), clock)) {
            assertThat(enforcer.pass()).as("GPUs 0 and 1 within the grace of their allocations' first sight; 2 and 3 "
                    + "had no allocation change").filteredOn(p -> p.gpu() < 2)
                    .extracting(JudgedProcess::verdict).containsOnly(PlacementVerdict.UNJUDGED);
            clock.advance(Duration.ofSeconds(31));

            Map<Long, JudgedProcess> judged = enforcer.pass().stream()
                    .collect(Collectors.toMap(JudgedProcess::pid, p -> p));
            assertThat(judged.get(101L).verdict()).as("Slurm v1, its job's GPU").isEqualTo(PlacementVerdict.ALLOWED);
            assertThat(judged.get(101L).owner()).isEqualTo("slurm:1234");
            assertThat(judged.get(101L).job()).isEqualTo("train-a");
            assertThat(judged.get(102L).verdict()).as("Slurm v2, another GPU").isEqualTo(PlacementVerdict.OVERREACH);
            assertThat(judged.get(102L).job()).isEqualTo("train-a");
            assertThat(judged.get(103L).verdict()).as("systemd driver").isEqualTo(PlacementVerdict.ALLOWED);
            assertThat(judged.get(103L).owner()).isEqualTo("pod:" + SERVE);
            assertThat(judged.get(104L).verdict()).as("cgroupfs driver, a pod with nothing here")
                    .isEqualTo(PlacementVerdict.ROGUE);
            assertThat(judged.get(104L).owner()).isEqualTo("pod:" + OTHER_POD);
            assertThat(judged.get(105L).verdict()).as("a login session").isEqualTo(PlacementVerdict.ROGUE);
            assertThat(judged.get(105L).user()).isEqualTo("1002");
            assertThat(judged.get(105L).command()).isEqualTo("jupyter-lab");
            assertThat(judged.get(106L).verdict()).isEqualTo(PlacementVerdict.SYSTEM);
            assertThat(judged.get(102L).since()).as("violating since the first pass").isEqualTo(T0);
            assertThat(judged.get(104L).since()).as("judged once the grace ended").isEqualTo(T0.plusSeconds(31));
        }
    }

    private static List<Allocation> allocations(NvmlBackend backend) {
        String gpu0 = backend.inventory().gpus().get(0).uuid();
        String gpu1 = backend.inventory().gpus().get(1).uuid();
        return List.of(new Allocation("train-a", null, JobKind.TRAINING, List.of(0), List.of(gpu0), List.of(),
                        List.of(), null, Map.of(), 1, "slurm:1234"),
                new Allocation("serve", 0, JobKind.INFERENCE, List.of(1), List.of(gpu1), List.of(), List.of(), null,
                        Map.of(), 1, "pod:" + SERVE));
    }

    /** The report policy signals nothing. */
    private static final class NoSignals implements Signals {
        @Override
        public boolean terminate(long pid) {
            return fail("signalled " + pid);
        }

        @Override
        public boolean kill(long pid) {
            return fail("signalled " + pid);
        }
    }
}
