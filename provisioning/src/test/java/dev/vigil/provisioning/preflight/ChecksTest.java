package dev.vigil.provisioning.preflight;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Preflight's rules on the outputs hosts give. */
class ChecksTest {
    private static final String HGX = gpuLines("NVIDIA H100 80GB HBM3", "550.127.05", "Enabled", 8);

    private static String gpuLines(String name, String driver, String persistence, int count) {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < count; i++) {
            lines.append(i).append(", ").append(name).append(", ").append(driver).append(", ").append(persistence)
                    .append(String.format(", 00000000:%02X:00.0%n", 0x18 + i * 16));
        }
        return lines.toString();
    }

    private static Probe.Section ok(String text) {
        return new Probe.Section(0, text);
    }

    private static List<Checks.Gpu> gpus(String lines) {
        return Checks.gpus(ok(lines));
    }

    @Test
    void aScriptsOutputSplitsIntoItsSectionsWithTheirExitStatus() {
        Probe probe = Probe.parse("### os\nID=debian\n### os exit=0\n### gpus\nsh: nvidia-smi: not found\n### gpus exit=127\n");

        assertThat(probe.section("os")).isEqualTo(ok("ID=debian\n"));
        assertThat(probe.section("gpus")).isEqualTo(new Probe.Section(127, "sh: nvidia-smi: not found\n"));
        assertThat(probe.section("disk")).isEqualTo(new Probe.Section(127, ""));
    }

    @Test
    void theScriptAsksEveryQuestionBetweenMarkers() {
        String script = Probe.script(9400);

        assertThat(script).startsWith("VIGIL_AGENT_PORT=9400;");
        Probe.QUESTIONS.keySet().forEach(name -> assertThat(script)
                .contains("echo '### " + name + "'; { ").contains("echo \"### " + name + " exit=$?\";"));
    }

    @Test
    void testedDistributionsPassOthersWarnAndNoOsReleaseFails() {
        assertThat(Checks.os(ok("PRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\nID=ubuntu\nVERSION_ID=\"22.04\"\n")))
                .isEqualTo(CheckResult.pass("os", "Ubuntu 22.04.4 LTS"));
        assertThat(Checks.os(ok("PRETTY_NAME=\"Rocky Linux 9.3 (Blue Onyx)\"\nID=\"rocky\"\nVERSION_ID=\"9.3\"\n")).status())
                .isEqualTo(Status.PASS);
        assertThat(Checks.os(ok("PRETTY_NAME=\"Ubuntu 20.04.6 LTS\"\nID=ubuntu\nVERSION_ID=\"20.04\"\n")).status())
                .isEqualTo(Status.WARN);
        assertThat(Checks.os(new Probe.Section(1, "cat: /etc/os-release: No such file or directory\n")))
                .isEqualTo(CheckResult.fail("os", "cannot read /etc/os-release: cat: /etc/os-release: No such file or directory"));
    }

    @Test
    void theDriverPassesWithOneVersionAndTheExpectedCount() {
        assertThat(Checks.driver(ok(HGX), gpus(HGX), 8))
                .isEqualTo(CheckResult.pass("driver", "8 x NVIDIA H100 80GB HBM3, driver 550.127.05"));
        assertThat(Checks.driver(ok(HGX), gpus(HGX), 7).detail()).endsWith("expected 7 GPUs (one fell off the bus? check dmesg for Xid 79)");
        assertThat(Checks.driver(ok(HGX), gpus(HGX), 7).status()).isEqualTo(Status.FAIL);
    }

    @Test
    void noDriverDifferentVersionsAndOldBranchesAreCalledOut() {
        assertThat(Checks.driver(new Probe.Section(127, "sh: 1: nvidia-smi: not found\n"), List.of(), null).detail())
                .startsWith("nvidia-smi not found");
        String failed = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n";
        assertThat(Checks.driver(new Probe.Section(9, failed), List.of(), null))
                .isEqualTo(CheckResult.fail("driver", "nvidia-smi sees no GPU: " + failed.strip()));
        String mixed = gpuLines("NVIDIA H100 80GB HBM3", "550.127.05", "Enabled", 1) + "1, NVIDIA H100 80GB HBM3, 550.90.07, Enabled, 00000000:28:00.0\n";
        assertThat(Checks.driver(ok(mixed), gpus(mixed), null).status()).isEqualTo(Status.FAIL);
        String old = gpuLines("NVIDIA A100-SXM4-80GB", "470.256.02", "Enabled", 8);
        assertThat(Checks.driver(ok(old), gpus(old), null).status()).isEqualTo(Status.WARN);
        String models = gpuLines("NVIDIA L40S", "550.127.05", "Enabled", 1) + "1, NVIDIA L4, 550.127.05, Enabled, 00000000:28:00.0\n";
        assertThat(Checks.driver(ok(models), gpus(models), null).status()).isEqualTo(Status.WARN);
    }

    @Test
    void persistenceModeOffNamesTheGpus() {
        String lines = gpuLines("NVIDIA H100 80GB HBM3", "550.127.05", "Enabled", 2) + "2, NVIDIA H100 80GB HBM3, 550.127.05, Disabled, 00000000:38:00.0\n";

        assertThat(Checks.persistence(gpus(HGX))).isEqualTo(CheckResult.pass("persistence", "enabled on all 8 GPUs"));
        assertThat(Checks.persistence(gpus(lines)).detail()).startsWith("off on GPUs 2:");
        assertThat(Checks.persistence(gpus(lines)).status()).isEqualTo(Status.WARN);
    }

    @Test
    void dcgmMissingOrStoppedWarnsBecauseTheAgentFallsBackToNvml() {
        assertThat(Checks.dcgm(ok("/usr/bin/nv-hostengine\nrunning\n"))).isEqualTo(CheckResult.pass("dcgm", "nv-hostengine running"));
        assertThat(Checks.dcgm(ok("/usr/bin/nv-hostengine\nstopped\n")).status()).isEqualTo(Status.WARN);
        assertThat(Checks.dcgm(new Probe.Section(1, "")).detail()).startsWith("DCGM not installed");
    }

    @Test
    void fabricManagerMustMatchTheDriverAndRunOnNvSwitchBoards() {
        String fm = "/usr/bin/nv-fabricmanager\nFabric Manager version is : %s\nrunning\n";
        assertThat(Checks.fabricManager(ok(fm.formatted("550.127.05")), gpus(HGX)))
                .isEqualTo(CheckResult.pass("fabric-manager", "version 550.127.05, running"));
        assertThat(Checks.fabricManager(ok(fm.formatted("550.90.07")), gpus(HGX)))
                .isEqualTo(CheckResult.fail("fabric-manager", "version 550.90.07 but the driver is 550.127.05: fabric manager "
                        + "refuses to start unless both are the same version"));
        assertThat(Checks.fabricManager(ok(fm.formatted("550.127.05").replace("running", "stopped")), gpus(HGX)).status())
                .isEqualTo(Status.FAIL);
        assertThat(Checks.fabricManager(new Probe.Section(1, ""), gpus(HGX)).detail())
                .startsWith("not installed, and 8 NVIDIA H100 80GB HBM3 GPUs share NVSwitches")
                .contains("nvidia-fabricmanager-550");
        String pcie = gpuLines("NVIDIA L40S", "550.127.05", "Enabled", 4);
        assertThat(Checks.fabricManager(new Probe.Section(1, ""), gpus(pcie)))
                .isEqualTo(CheckResult.pass("fabric-manager", "not needed (no NVSwitch board)"));
    }

    @Test
    void numaNamesGpusWithoutAffinity() {
        assertThat(Checks.numa(ok("2\n0000:18:00.0 0\n0000:9a:00.0 1\n")))
                .isEqualTo(CheckResult.pass("numa", "2 NUMA nodes; GPUs on nodes 0,1"));
        assertThat(Checks.numa(ok("1\n0000:18:00.0 unknown\n")))
                .isEqualTo(CheckResult.warn("numa", "1 NUMA node; no NUMA node for GPUs at 0000:18:00.0 (CPU and GPU placement cannot be paired)"));
    }

    @Test
    void infinibandPortsDownFailNoneWarns() {
        assertThat(Checks.infiniband(ok("mlx5_0/1 4: ACTIVE InfiniBand\nmlx5_1/1 4: ACTIVE InfiniBand\n")))
                .isEqualTo(CheckResult.pass("infiniband", "2 port(s) ACTIVE: mlx5_0/1 ACTIVE, mlx5_1/1 ACTIVE"));
        assertThat(Checks.infiniband(ok("mlx5_0/1 4: ACTIVE InfiniBand\nmlx5_1/1 1: DOWN InfiniBand\n")))
                .isEqualTo(CheckResult.fail("infiniband", "1 port(s) not ACTIVE: mlx5_1/1 DOWN; active: mlx5_0/1 ACTIVE"));
        assertThat(Checks.infiniband(ok("")).status()).isEqualTo(Status.WARN);
    }

    @Test
    void theClockMustBeCloseAndSynchronized() {
        assertThat(Checks.clock(ok("1000\nyes\n"), 1001))
                .isEqualTo(CheckResult.pass("clock", "off by about 1 s from this machine, NTP synchronized"));
        assertThat(Checks.clock(ok("1000\nLeap status     : Normal\n"), 1000).status()).isEqualTo(Status.PASS);
        assertThat(Checks.clock(ok("1000\nno\n"), 1000).status()).isEqualTo(Status.WARN);
        assertThat(Checks.clock(ok("1000\nyes\n"), 1003).status()).isEqualTo(Status.WARN);
        assertThat(Checks.clock(ok("1000\nyes\n"), 994).status()).isEqualTo(Status.FAIL);
    }

    @Test
    void freeDiskIsCountedOncePerMount() {
        String df = "Filesystem 1024-blocks Used Available Capacity Mounted on\n"
                + "/dev/vda 264212084 29746940 76643972 28% /\n/dev/vda 264212084 29746940 76643972 28% /\n";
        assertThat(Checks.disk(ok(df))).isEqualTo(CheckResult.pass("disk", "/ 73 GiB free"));
        String tight = "Filesystem 1024-blocks Used Available Capacity Mounted on\n"
                + "/dev/sda1 100 90 5242880 95% /\n/dev/sda2 100 90 1048576 99% /var\n";
        assertThat(Checks.disk(ok(tight)).status()).isEqualTo(Status.FAIL);
        assertThat(Checks.disk(ok(tight)).detail()).startsWith("/ 5 GiB free, /var 1 GiB free");
    }

    @Test
    void aTakenAgentPortFails() {
        assertThat(Checks.agentPort(ok(""), 9400)).isEqualTo(CheckResult.pass("agent-port", "9400 free"));
        assertThat(Checks.agentPort(ok("LISTEN 0 4096 *:9400 *:*\n"), 9400).status()).isEqualTo(Status.FAIL);
        assertThat(Checks.agentPort(new Probe.Section(127, "sh: ss: not found\n"), 9400).status()).isEqualTo(Status.WARN);
    }

    @Test
    void aHostIsAsBadAsItsWorstCheck() {
        assertThat(HostReport.of("gpu-01", List.of(CheckResult.pass("a", ""), CheckResult.warn("b", ""))).status())
                .isEqualTo(Status.WARN);
        assertThat(HostReport.of("gpu-01", List.of(CheckResult.fail("a", ""), CheckResult.warn("b", ""))).status())
                .isEqualTo(Status.FAIL);
        assertThat(HostReport.unreachable("gpu-01", "gpu-01: refused").checks())
                .containsExactly(CheckResult.fail("ssh", "gpu-01: refused"));
    }

    @Test
    void everyCheckRunsInItsOrderOnAWholeAnswer() {
        Probe probe = Probe.parse("### os\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n### os exit=0\n"
                + "### kernel\n6.1.0-28-amd64\n### kernel exit=0\n### gpus\n" + HGX + "### gpus exit=0\n");

        List<CheckResult> results = Checks.all(probe, new Checks.Context(9400, 1000, 8));

        assertThat(results).extracting(CheckResult::check).containsExactly("os", "kernel", "driver", "persistence", "dcgm",
                "fabric-manager", "numa", "infiniband", "clock", "disk", "agent-port");
        assertThat(results.get(1)).isEqualTo(CheckResult.pass("kernel", "6.1.0-28-amd64"));
        assertThat(results.get(2).status()).isEqualTo(Status.PASS);
        assertThat(Checks.kernel(new Probe.Section(127, "")).status()).isEqualTo(Status.FAIL);
        assertThat(Checks.kernel(ok(" \n")).status()).isEqualTo(Status.FAIL);
    }

    @Test
    void limitsAreInclusiveOnTheGoodSide() {
        assertThat(Checks.clock(ok("1000\nyes\n"), 1005)).isEqualTo(CheckResult.warn("clock",
                "off by about 5 s from this machine, NTP synchronized"));
        assertThat(Checks.clock(ok("1000\nno\n"), 1000).detail()).isEqualTo(
                "off by about 0 s from this machine; no NTP sync reported (timedatectl, chronyc)");
        String df = "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda1 1 1 %d 1%% /\n";
        assertThat(Checks.disk(ok(df.formatted(Checks.DISK_FAIL_KIB))).status()).isEqualTo(Status.WARN);
        assertThat(Checks.disk(ok(df.formatted(Checks.DISK_WARN_KIB))).status()).isEqualTo(Status.PASS);
        String branch = gpuLines("NVIDIA H100 80GB HBM3", "535.216.03", "Enabled", 1);
        assertThat(Checks.driver(ok(branch), gpus(branch), null).status()).isEqualTo(Status.PASS);
        String eightPcie = gpuLines("NVIDIA L40S", "550.127.05", "Enabled", 8);
        assertThat(Checks.fabricManager(new Probe.Section(1, ""), gpus(eightPcie)).status()).isEqualTo(Status.PASS);
    }
}
