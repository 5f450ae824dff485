package dev.vigil.agent.repair;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.sampling.Snapshot;
import dev.vigil.api.cluster.AgentAction;
import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.api.cluster.AgentActionResult.State;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.health.HealthEvaluator;
import dev.vigil.gpu.health.HealthThresholds;
import dev.vigil.gpu.simulated.FaultKind;
import dev.vigil.gpu.simulated.FaultSpec;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import dev.vigil.gpu.simulated.Workload;
import dev.vigil.gpu.simulated.WorkloadKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real-hardware repairs through the real command runner, with fake nvidia-smi, systemctl and
 * dcgmi scripts in a temporary directory (never the real programs); the GPUs behind the backend
 * port are simulated ones.
 */
class HostRepairsTest {
    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private static final FieldSet FIELDS = new FieldSet(HealthEvaluator.REQUIRED_FIELDS);

    @TempDir
    Path dir;
    private Path bootId;
    private SimulatedNode gpus;

    @BeforeEach
    void setUp() throws IOException {
        bootId = Files.writeString(dir.resolve("boot_id"), "boot-1\n");
        gpus = new SimulatedNode("gpu-01", SimulatedSpec.of(NodeProfile.HGX_H100_8, 1,
                List.of(Workload.of(WorkloadKind.TRAINING, List.of(1)))), Clock.systemUTC());
    }

    /** A fake program: appends its arguments to NAME.args, prints {@code output}, exits {@code status}. */
    private Path script(String name, String output, int status) throws IOException {
        Path printed = Files.writeString(dir.resolve(name + ".out"), output);
        Path script = dir.resolve(name);
        Files.writeString(script, "#!/bin/sh\necho \"$@\" >> '" + dir.resolve(name + ".args") + "'\ncat '" + printed
                + "'\nexit " + status + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private List<String> args(String name) throws IOException {
        Path file = dir.resolve(name + ".args");
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    private HostRepairs repairs(String nvidiaSmi, String systemctl, String dcgmi) {
        AgentConfig.Actions config = new AgentConfig.Actions(dir.resolve("state"), nvidiaSmi, dcgmi, systemctl,
                Duration.ofSeconds(20));
        SnapshotSource snapshots = new SnapshotSource(() -> new Snapshot(gpus.inventory(), gpus.sample(FIELDS),
                List.of(), Map.of(), Map.of(), Duration.ofMinutes(5), null), Duration.ofMillis(100));
        return new HostRepairs("gpu-01", gpus, new HealthEvaluator(HealthThresholds.defaults(), FIELDS),
                new ProcessCommandRunner(), config, bootId, snapshots, FIELDS, Clock.systemUTC());
    }

    private static AgentAction action(AgentAction.Kind kind, Integer gpu, Integer level) {
        return new AgentAction("run-3/" + kind.ordinal(), kind, gpu, level, T0);
    }

    @Test
    void aResetRunsNvidiaSmiOnAnIdleGpuAndIsRefusedNamingThePidsOnABusyOne() throws Exception {
        HostRepairs repairs = repairs(script("nvidia-smi", "GPU 00000000:18:00.0 was successfully reset.\n", 0)
                .toString(), "systemctl", "dcgmi");
        Outcome reset = repairs.resetGpu(action(AgentAction.Kind.GPU_RESET, 0, null));
        assertThat(reset.state()).isEqualTo(State.SUCCEEDED);
        assertThat(reset.message()).startsWith("gpu 0 reset by nvidia-smi in ");
        assertThat(reset.output()).contains("successfully reset");
        assertThat(args("nvidia-smi")).containsExactly("-r -i 0");

        Outcome refused = repairs.resetGpu(action(AgentAction.Kind.GPU_RESET, 1, null));
        assertThat(refused.state()).isEqualTo(State.FAILED);
        assertThat(refused.message()).isEqualTo("gpu-reset of gpu 1 refused: 1 process(es) hold it (pids "
                + gpus.processes(1).get(0).pid() + "); stop them or drain the GPU first");
        assertThat(args("nvidia-smi")).as("nvidia-smi never ran for the busy GPU").containsExactly("-r -i 0");
    }

    @Test
    void aFailedNvidiaSmiFailsTheResetWithWhatItSaid() throws Exception {
        HostRepairs repairs = repairs(script("nvidia-smi", "Unable to reset this GPU because it's being used by "
                + "some other process\n", 3).toString(), "systemctl", "dcgmi");
        Outcome reset = repairs.resetGpu(action(AgentAction.Kind.GPU_RESET, 2, null));
        assertThat(reset.state()).isEqualTo(State.FAILED);
        assertThat(reset.message()).isEqualTo(dir.resolve("nvidia-smi") + " -r -i 2 exited 3: Unable to reset this "
                + "GPU because it's being used by some other process");
        assertThat(repairs.resetGpu(action(AgentAction.Kind.GPU_RESET, 8, null)).message())
                .isEqualTo("no gpu 8 on this node (it has 0 to 7)");
    }

    @Test
    void aRebootIsRecordedBeforeSystemctlRunsAndTheAgentAfterItReportsItOnce() throws Exception {
        String systemctl = script("systemctl", "", 0).toString();
        HostRepairs repairs = repairs("nvidia-smi", systemctl, "dcgmi");
        assertThat(repairs.restored()).isEmpty();
        Outcome reboot = repairs.reboot(new AgentAction("run-7/2", AgentAction.Kind.REBOOT, null, null, T0));
        assertThat(reboot.state()).as("the process ends with the reboot").isEqualTo(State.RUNNING);
        assertThat(args("systemctl")).containsExactly("reboot");
        assertThat(Files.readString(dir.resolve("state").resolve(RebootRecord.FILE)))
                .isEqualTo("id=run-7/2\nboot=boot-1\nstate=rebooting\n");

        // The agent after the reboot: a new boot id.
        Files.writeString(bootId, "boot-2\n");
        HostRepairs after = repairs("nvidia-smi", systemctl, "dcgmi");
        List<AgentActionResult> restored = after.restored();
        assertThat(restored).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo("run-7/2");
            assertThat(r.state()).isEqualTo(State.SUCCEEDED);
            assertThat(r.message()).isEqualTo("node rebooted (boot boot-2)");
        });
        after.stillWanted(Set.of("run-7/2"));
        assertThat(dir.resolve("state").resolve(RebootRecord.FILE)).as("kept while asked for").exists();
        after.stillWanted(Set.of());
        assertThat(dir.resolve("state").resolve(RebootRecord.FILE)).doesNotExist();
        assertThat(args("systemctl")).as("one reboot").hasSize(1);
    }

    @Test
    void anAgentRestartedWithoutARebootReportsTheRebootFailedAndAFailedSystemctlLeavesNoRecord() throws Exception {
        HostRepairs repairs = repairs("nvidia-smi", script("systemctl", "", 0).toString(), "dcgmi");
        repairs.reboot(new AgentAction("run-8/1", AgentAction.Kind.REBOOT, null, null, T0));
        assertThat(repairs("nvidia-smi", "systemctl", "dcgmi").restored()).singleElement()
                .satisfies(r -> {
                    assertThat(r.state()).isEqualTo(State.FAILED);
                    assertThat(r.message()).contains("did not reboot", "boot-1");
                });

        HostRepairs refused = repairs("nvidia-smi", script("systemctl-refuses", "Access denied\n", 1).toString(),
                "dcgmi");
        Outcome reboot = refused.reboot(new AgentAction("run-8/2", AgentAction.Kind.REBOOT, null, null, T0));
        assertThat(reboot.state()).isEqualTo(State.FAILED);
        assertThat(reboot.message()).endsWith("reboot exited 1: Access denied");
        assertThat(dir.resolve("state").resolve(RebootRecord.FILE)).doesNotExist();
    }

    @Test
    void aHealthCheckRunsDcgmiDiagAndTheSampleChecksOneLineEach() throws Exception {
        String dcgmi = script("dcgmi", DcgmDiagTest.DCGM4_ONE_FAILURE.replace("\"Fail\"", "\"Pass\""), 0).toString();
        HostRepairs repairs = repairs("nvidia-smi", "systemctl", dcgmi);
        Outcome passed = repairs.healthCheck(action(AgentAction.Kind.HEALTH_CHECK, 0, 2));
        assertThat(args("dcgmi")).containsExactly("diag -r 2 -j -i 0");
        assertThat(passed.state()).as(passed.output()).isEqualTo(State.SUCCEEDED);
        assertThat(passed.message()).startsWith("health-check level 2 of gpu 0 passed: 7 check(s) in ");
        assertThat(passed.output().lines()).contains("PASS diag memory gpu 0: skip", "PASS gpu 0 responds",
                "PASS gpu 0 row-remap: none pending or failed", "PASS gpu 0 nvlink: 18 of 18 links up");

        gpus.inject(FaultSpec.now(2, FaultKind.ECC_DBE, null));
        Outcome failed = repairs.healthCheck(action(AgentAction.Kind.HEALTH_CHECK, null, null));
        assertThat(args("dcgmi")).last().isEqualTo("diag -r 1 -j");
        assertThat(failed.state()).isEqualTo(State.FAILED);
        assertThat(failed.message()).contains("1 of ", "(gpu 2 row-remap)");
        assertThat(failed.output().lines()).contains("FAIL gpu 2 row-remap: a row remap waits for a GPU reset",
                "PASS gpu 3 row-remap: none pending or failed");
    }

    @Test
    void aFailingOrMissingDiagnosticFailsTheHealthCheck() throws Exception {
        HostRepairs failing = repairs("nvidia-smi", "systemctl",
                script("dcgmi", DcgmDiagTest.DCGM4_ONE_FAILURE, 226).toString());
        Outcome failed = failing.healthCheck(action(AgentAction.Kind.HEALTH_CHECK, null, 1));
        assertThat(failed.state()).isEqualTo(State.FAILED);
        assertThat(failed.output()).contains("FAIL diag software gpu 1: fail (Row remapping pending on GPU 1)");

        HostRepairs missing = repairs("nvidia-smi", "systemctl", dir.resolve("no-dcgmi").toString());
        Outcome none = missing.healthCheck(action(AgentAction.Kind.HEALTH_CHECK, 4, 1));
        assertThat(none.state()).isEqualTo(State.FAILED);
        assertThat(none.output()).contains("FAIL dcgmi diag: cannot run " + dir.resolve("no-dcgmi"));
    }

    @Test
    void aCommandPastItsTimeoutIsKilled() throws Exception {
        Path slow = dir.resolve("slow");
        Files.writeString(slow, "#!/bin/sh\necho started\nexec sleep 30\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(slow, PosixFilePermissions.fromString("rwxr-xr-x"));
        CommandRunner.CommandResult result = new ProcessCommandRunner().run(List.of(slow.toString()),
                Duration.ofMillis(300));
        assertThat(result.timedOut()).isTrue();
        assertThat(result.output()).isEqualTo("started\n");
    }
}
