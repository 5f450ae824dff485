package dev.vigil.cli.provision;

import dev.vigil.provisioning.install.InstallResult;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class HostProgressTest {
    private final StringWriter err = new StringWriter();

    @Test
    void aLinePerFinishedHostCountingUpToTheTotal() {
        HostProgress progress = new HostProgress(new PrintWriter(err), 3, Output.TABLE);

        progress.accept(new InstallResult("gpu-02", true, "ready", "", 41.23));
        progress.accept(new InstallResult("gpu-01", false, "agent.yaml", "refused", 3.0));

        assertThat(err.toString().lines()).containsExactly("[1/3] gpu-02 ok (ready) 41.2 s",
                "[2/3] gpu-01 failed (agent.yaml) 3.0 s");
    }

    @Test
    void silentForJson() {
        HostProgress progress = new HostProgress(new PrintWriter(err), 1, Output.JSON);

        progress.accept(new InstallResult("gpu-01", true, "ready", "", 1));

        assertThat(err.toString()).isEmpty();
    }
}
