package dev.vigil.cli.provision;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code vigil provision} says before it reaches any host. */
class ProvisionCommandTest {
    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine command = new CommandLine(new ProvisionCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        command.setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        return command.execute(args);
    }

    @Test
    void helpTeachesTheSubcommandsAndHostKeyRules() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("preflight HOSTS").contains("--accept-new-host-keys")
                .contains("a changed key always fails");
    }

    @Test
    void aBadHostsLineIsNamedWithExitStatus2() throws Exception {
        Path hosts = Files.writeString(dir.resolve("hosts"), "gpu-01 ops@10.0.0.1\ngpu-02 ops@10.0.0.2 extra\n");

        assertThat(run("preflight", hosts.toString())).isEqualTo(ProvisionExit.CONFIG);
        assertThat(err.toString()).startsWith("provision preflight: ").contains("line 2 \"gpu-02 ops@10.0.0.2 extra\"")
                .contains("allowed [NAME] [user@]address[:port]");
    }

    @Test
    void aHostListedTwiceIsRefused() {
        assertThat(run("preflight", "gpu-01,gpu-01")).isEqualTo(ProvisionExit.CONFIG);
        assertThat(err.toString()).contains("host gpu-01 is listed twice");
    }

    @Test
    void aFingerprintMustBeSha256() {
        assertThat(run("preflight", "gpu-01", "--host-key-fingerprint", "gpu-01=MD5:aa:bb")).isEqualTo(ProvisionExit.CONFIG);
        assertThat(err.toString()).contains("--host-key-fingerprint").contains("HOST=SHA256:...");
    }

    @Test
    void anUnreachableHostFailsItsSshCheck() throws Exception {
        Path key = Files.writeString(dir.resolve("id"), "not a key");
        // port 1 of 127.0.0.1: nothing listens there
        int status = run("preflight", "ops@127.0.0.1:1", "-i", key.toString(), "--known-hosts",
                dir.resolve("kh").toString(), "--connect-timeout", "2s", "-o", "json");

        assertThat(status).isEqualTo(ProvisionExit.FAILED);
        assertThat(out.toString()).contains("\"host\" : \"127.0.0.1\"").contains("\"status\" : \"fail\"")
                .contains("\"check\" : \"ssh\"").contains("cannot connect to ops@127.0.0.1:1");
    }

    /** A stand-in sinfo that prints {@code output} and exits {@code status}. */
    private String sinfo(String output, int status) throws Exception {
        Path script = Files.writeString(dir.resolve("sinfo"), "#!/bin/sh\nprintf '" + output + "'\nexit " + status + "\n");
        script.toFile().setExecutable(true);
        return script.toString();
    }

    @Test
    void thePartitionsNodesAreTheHostsOfAnUpgradePlan() throws Exception {
        Path dist = Files.writeString(dir.resolve("vigil-1.5.0.tar.gz"), "");

        assertThat(run("upgrade", "--partition", "h100", "--sinfo", sinfo("gpu-[01-02]\\ngpu-[02-03]\\n", 0), "--to",
                "1.5.0", "--distribution", dist.toString(), "--dry-run", "--batches", "1,2")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("1 (canary)  1      gpu-01\n").contains("2           2      gpu-02,gpu-03\n");
    }

    @Test
    void aPartitionSinfoDoesNotKnowIsRefusedWithWhatItSaid() throws Exception {
        assertThat(run("preflight", "--partition", "nope", "--sinfo", sinfo("invalid partition specified: nope", 1)))
                .isEqualTo(ProvisionExit.CONFIG);
        assertThat(err.toString()).contains("sinfo --partition nope exited 1: invalid partition specified: nope");
    }

    @Test
    void hostsAndAPartitionTogetherOrNeitherAreRefused() throws Exception {
        assertThat(run("preflight", "gpu-01", "--partition", "h100")).isEqualTo(ProvisionExit.CONFIG);
        assertThat(err.toString()).contains("HOSTS").contains("nothing with --partition");
        assertThat(run("preflight")).isEqualTo(ProvisionExit.CONFIG);
        assertThat(err.toString()).contains("or --partition P");
    }

    @Test
    void anUpgradesDryRunPrintsTheCanaryAndTheBatches() throws Exception {
        Path dist = Files.writeString(dir.resolve("vigil-1.5.0.tar.gz"), "");
        String hosts = String.join(",", java.util.stream.IntStream.rangeClosed(1, 8).mapToObj(i -> "gpu-0" + i).toList());

        assertThat(run("upgrade", hosts, "--to", "1.5.0", "--distribution", dist.toString(), "--dry-run")).isZero();
        assertThat(out.toString()).contains("1 (canary)  1      gpu-01\n")
                .contains("2           1      gpu-02\n").contains("3           2      gpu-03,gpu-04\n")
                .contains("5           2      gpu-07,gpu-08\n").contains("more than 0 failure(s)");
    }

    @Test
    void anUpgradeRefusesADistributionOfAnotherVersion() throws Exception {
        Path dist = Files.writeString(dir.resolve("vigil-1.4.0.tar.gz"), "");

        assertThat(run("upgrade", "gpu-01", "--to", "1.5.0", "--distribution", dist.toString(), "--dry-run"))
                .isEqualTo(ProvisionExit.CONFIG);
        assertThat(err.toString()).contains("is version 1.4.0, not --to 1.5.0");
    }
}
