package dev.vigil.controller.runbooks;

import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.controller.config.RunbookSettings;
import dev.vigil.runbooks.BmcResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Power cycles through a stand-in ipmitool (a script that records its arguments): never the real one. */
class BmcTest {
    @TempDir
    Path dir;
    private Bmc bmc;

    @AfterEach
    void close() {
        if (bmc != null) {
            bmc.close();
        }
    }

    private Path ipmitool(int exit) throws Exception {
        Path script = dir.resolve("ipmitool");
        Files.writeString(script, "#!/bin/sh\necho \"$@\" >> " + dir.resolve("calls") + "\necho 'Chassis Power "
                + "Control: Cycle'\nexit " + exit + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private BmcResult awaitEnded(String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Optional<BmcResult> result = bmc.result(id);
            if (result.isPresent() && result.get().state().ended()) {
                return result.get();
            }
            assertThat(System.nanoTime()).as("no result within 10 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void aPowerCycleRunsIpmitoolOnceAgainstTheNodesBmcWithThePasswordFile() throws Exception {
        bmc = new Bmc(new RunbookSettings.Bmc("-bmc", Map.of("gpu-7", "10.0.9.7"), "vigil", dir.resolve("pw"),
                ipmitool(0).toString()));

        bmc.powerCycle("run-3/2/1", "gpu-7");
        bmc.powerCycle("run-3/2/1", "gpu-7");
        BmcResult done = awaitEnded("run-3/2/1");
        bmc.powerCycle("run-4/2/1", "gpu-8");
        awaitEnded("run-4/2/1");

        assertThat(done.state()).isEqualTo(AgentActionResult.State.SUCCEEDED);
        assertThat(done.message()).isEqualTo("ipmitool exited 0: Chassis Power Control: Cycle");
        assertThat(Files.readAllLines(dir.resolve("calls"))).containsExactly(
                "-I lanplus -H 10.0.9.7 -U vigil -f " + dir.resolve("pw") + " chassis power cycle",
                "-I lanplus -H gpu-8-bmc -U vigil -f " + dir.resolve("pw") + " chassis power cycle");
    }

    @Test
    void aFailingIpmitoolOrNoBmcFailsTheStepSayingWhy() throws Exception {
        bmc = new Bmc(new RunbookSettings.Bmc(null, Map.of("gpu-7", "10.0.9.7"), "vigil", dir.resolve("pw"),
                ipmitool(1).toString()));
        bmc.powerCycle("a", "gpu-7");
        bmc.powerCycle("b", "gpu-9");
        assertThat(awaitEnded("a").message()).startsWith("ipmitool exited 1");
        assertThat(awaitEnded("b").message()).contains("no BMC address for gpu-9");
        assertThat(bmc.result("never")).isEmpty();

        try (Bmc none = new Bmc(null)) {
            none.powerCycle("c", "gpu-7");
            assertThat(none.result("c")).hasValueSatisfying(r -> {
                assertThat(r.state()).isEqualTo(AgentActionResult.State.FAILED);
                assertThat(r.message()).startsWith("no BMC is configured (runbooks.bmc");
            });
        }
    }
}
