package dev.vigil.agent.placement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProcAttributionTest {
    private static final String POD_UID = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";

    @TempDir
    Path root;

    private ProcessIdentity identify(String cgroup) {
        new FakeProc(root).process(4242, cgroup, 1000, "python3", "HOME=/home/a", "CUDA_VISIBLE_DEVICES=2,3");
        return new ProcAttribution(root).identify(4242).orElseThrow();
    }

    @Test
    void slurmJobFromCgroupV1() {
        ProcessIdentity identity = identify("""
                1:name=systemd:/system.slice/slurmd.service
                12:memory:/slurm/uid_1000/job_1234/step_0/task_0
                4:devices:/slurm/uid_1000/job_1234/step_0/task_0
                """);

        assertThat(identity.owner()).isEqualTo(Owner.slurmJob("1234"));
        assertThat(identity.owner().wire()).isEqualTo("slurm:1234");
    }

    @Test
    void slurmJobFromCgroupV2() {
        assertThat(identify("0::/system.slice/slurmstepd.scope/job_1234/step_0/user/task_0\n").owner())
                .isEqualTo(Owner.slurmJob("1234"));
    }

    @Test
    void slurmStepdItselfIsItsUnitNotAJob() {
        assertThat(identify("0::/system.slice/slurmstepd.scope/system\n").owner())
                .isEqualTo(Owner.unit("slurmstepd.scope"));
    }

    @Test
    void podFromTheSystemdDriverWithDashesRestored() {
        String slice = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
                + POD_UID.replace('-', '_') + ".slice/cri-containerd-0a1b2c3d4e5f.scope";

        assertThat(identify("0::" + slice + "\n").owner()).isEqualTo(Owner.pod(POD_UID));
    }

    @Test
    void guaranteedPodFromTheSystemdDriver() {
        String slice = "/kubepods.slice/kubepods-pod" + POD_UID.replace('-', '_') + ".slice/cri-containerd-ff.scope";

        assertThat(identify("0::" + slice + "\n").owner()).isEqualTo(Owner.pod(POD_UID));
    }

    @Test
    void podFromTheCgroupfsDriver() {
        assertThat(identify("4:devices:/kubepods/besteffort/pod" + POD_UID + "/0a1b2c3d4e5f6789\n").owner())
                .isEqualTo(Owner.pod(POD_UID));
        assertThat(identify("0::/kubepods/pod" + POD_UID + "/0a1b2c3d4e5f6789\n").owner())
                .isEqualTo(Owner.pod(POD_UID));
    }

    @Test
    void systemdUnit() {
        assertThat(identify("0::/system.slice/nvidia-persistenced.service\n").owner())
                .isEqualTo(Owner.unit("nvidia-persistenced.service"));
    }

    @Test
    void unknownAndGarbledCgroupsAreUnknownOwners() {
        assertThat(identify("0::/user.slice/user-1000.slice/session-3\n").owner()).isEqualTo(Owner.UNKNOWN);
        assertThat(identify("garbage without colons\n\n0:\n").owner()).isEqualTo(Owner.UNKNOWN);
        assertThat(identify("0::/kubepods/besteffort/podnot-a-uid/abc\n").owner()).isEqualTo(Owner.UNKNOWN);
        assertThat(identify("").owner().wire()).isEqualTo("unknown");
    }

    @Test
    void userCommandAndCudaVisibleDevices() {
        ProcessIdentity identity = identify("0::/system.slice/slurmstepd.scope/job_7/step_0/user/task_0\n");

        assertThat(identity.pid()).isEqualTo(4242);
        assertThat(identity.uid()).isEqualTo(1000);
        assertThat(identity.user()).isEqualTo("1000");
        assertThat(identity.command()).isEqualTo("python3");
        assertThat(identity.cudaVisibleDevices()).isEqualTo("2,3");
    }

    @Test
    void missingOptionalFilesLeaveUnknownsNotErrors() {
        new FakeProc(root).write(77, "cgroup", "0::/system.slice/nv-hostengine.service\n")
                .write(77, "status", "Name:\tx\nUid:\tnot-a-number\n");

        ProcessIdentity identity = new ProcAttribution(root).identify(77).orElseThrow();

        assertThat(identity.uid()).isEqualTo(-1);
        assertThat(identity.user()).isEqualTo("unknown");
        assertThat(identity.command()).isEmpty();
        assertThat(identity.cudaVisibleDevices()).isNull();
        assertThat(identity.owner()).isEqualTo(Owner.unit("nv-hostengine.service"));
    }

    @Test
    void environWithoutCudaVisibleDevicesHasNoHint() {
        new FakeProc(root).process(5, "0::/\n", 0, "bash", "PATH=/bin");

        assertThat(new ProcAttribution(root).identify(5).orElseThrow().cudaVisibleDevices()).isNull();
    }

    @Test
    void aProcessThatWentAwayIsGone() throws Exception {
        assertThat(new ProcAttribution(root).identify(999)).isEmpty();

        new FakeProc(root).write(998, "comm", "exiting\n");
        assertThat(new ProcAttribution(root).identify(998)).isEmpty();
        assertThat(Files.list(root).map(p -> p.getFileName().toString()).toList()).isEqualTo(List.of("998"));
    }

    @Test
    void theStartTimeIsField22OfStatWhateverTheCommandHoldsAndTellsAReusedPid() {
        FakeProc proc = new FakeProc(root).process(4242, "0::/user.slice\n", 1000, "x");
        proc.started(4242, "a) b (c", 123456);
        ProcAttribution attribution = new ProcAttribution(root);
        ProcessIdentity identity = attribution.identify(4242).orElseThrow();

        assertThat(identity.startTime()).isEqualTo(123456);
        assertThat(attribution.sameProcess(identity)).isTrue();

        proc.started(4242, "x", 123999);
        assertThat(attribution.sameProcess(identity)).as("another process got the PID").isFalse();
    }

    @Test
    void aProcessWithoutAReadableStartTimeIsNeverTakenForTheSameProcess() {
        FakeProc proc = new FakeProc(root).process(4242, "0::/user.slice\n", 1000, "x");
        ProcAttribution attribution = new ProcAttribution(root);
        ProcessIdentity noStat = attribution.identify(4242).orElseThrow();
        assertThat(noStat.startTime()).isEqualTo(-1);
        assertThat(attribution.sameProcess(noStat)).isFalse();

        proc.write(4242, "stat", "4242 (x) S 1 2 3\n");
        assertThat(attribution.identify(4242).orElseThrow().startTime()).as("too few fields").isEqualTo(-1);
        proc.write(4242, "stat", "4242 x S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21\n");
        assertThat(attribution.identify(4242).orElseThrow().startTime()).as("no command").isEqualTo(-1);
        proc.write(4242, "stat", "4242 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 soon 20 21\n");
        assertThat(attribution.identify(4242).orElseThrow().startTime()).as("not a number").isEqualTo(-1);
    }

    @Test
    void startTimeZeroAndAStatEndingAtField22AreRead() {
        FakeProc proc = new FakeProc(root).process(4242, "0::/user.slice\n", 1000, "x").started(4242, "x", 0);
        ProcAttribution attribution = new ProcAttribution(root);
        ProcessIdentity bootTime = attribution.identify(4242).orElseThrow();
        assertThat(bootTime.startTime()).isZero();
        assertThat(attribution.sameProcess(bootTime)).isTrue();

        proc.write(4242, "stat", "4242 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 555\n");
        assertThat(attribution.identify(4242).orElseThrow().startTime()).isEqualTo(555);
    }

    @Test
    void anUnreadableUidIsUnknown() {
        new FakeProc(root).process(4242, "0::/user.slice\n", 1000, "x").write(4242, "status", "Uid:\tnobody\n");

        assertThat(new ProcAttribution(root).identify(4242).orElseThrow().uid()).isEqualTo(-1);
        new FakeProc(root).write(4242, "status", "Name:\tx\nState:\tR (running)\n");
        assertThat(new ProcAttribution(root).identify(4242).orElseThrow().uid()).as("no Uid line").isEqualTo(-1);
    }

    @Test
    void aGoneProcessIsNotTheSameProcess() {
        FakeProc proc = new FakeProc(root).process(4242, "0::/user.slice\n", 1000, "x").started(4242, "x", 7);
        ProcAttribution attribution = new ProcAttribution(root);
        ProcessIdentity identity = attribution.identify(4242).orElseThrow();

        proc.write(4242, "stat", "");
        assertThat(attribution.sameProcess(identity)).isFalse();
        assertThat(attribution.identify(4243)).isEmpty();
    }
}
