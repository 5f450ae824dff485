package dev.vigil.slurm;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad input to the bridge is refused with the field, the value and what is allowed. */
class RequestValidationTest {
    private static JobRequest.Builder valid() {
        return JobRequest.builder("#!/bin/bash\ntrue\n").workingDirectory("/tmp");
    }

    @Test
    void aJobRequestNamesTheBadField() {
        assertRefused(() -> JobRequest.builder("echo hi").workingDirectory("/tmp").build(),
                "script: \"echo hi\" is not allowed (allowed: a batch script starting with #!");
        assertRefused(() -> valid().nodes(List.of("gpu01", "gpu[02-03]")).build(),
                "nodes[1]: \"gpu[02-03]\" is not allowed (allowed: a node name, e.g. gpu01 (one per entry, no ranges))");
        assertRefused(() -> valid().nodes(List.of("gpu01")).nodeCount(2).build(),
                "nodeCount: \"2\" is not allowed (allowed: the number of nodes given (1))");
        assertRefused(() -> valid().gpusPerNode(65).build(), "gpusPerNode: \"65\" is not allowed (allowed: 0 to 64)");
        assertRefused(() -> valid().maxSwitches(0, null).build(),
                "maxSwitches: \"0\" is not allowed (allowed: 1 or more leaf switches)");
        assertRefused(() -> valid().timeLimit(Duration.ZERO).build(), "timeLimit: \"0s\" is not allowed");
        assertRefused(() -> JobRequest.builder("#!/bin/sh\n").workingDirectory("run-7").build(),
                "workingDirectory: \"run-7\" is not allowed (allowed: an absolute path on the nodes");
        assertRefused(() -> valid().environment(Map.of("1BAD", "x")).build(), "environment: \"1BAD\" is not allowed");
        assertRefused(() -> valid().partition("gpu partition").build(), "partition: \"gpu partition\" is not allowed");
        assertRefused(() -> valid().name("two\nlines").build(), "name: \"two\nlines\" is not allowed");
    }

    @Test
    void aJobRequestFillsTheNodeCountAndPath() {
        JobRequest request = valid().nodes(List.of("gpu01", "gpu02")).environment(Map.of("A", "1")).build();
        assertThat(request.nodeCount()).isEqualTo(2);
        assertThat(request.environment()).containsEntry("PATH", JobRequest.DEFAULT_PATH).containsEntry("A", "1");
        assertThat(valid().environment(Map.of("PATH", "/opt/bin")).build().environment())
                .containsEntry("PATH", "/opt/bin");
    }

    @Test
    void aConfigBindsFromYamlAndNamesWhatIsWrong() {
        SlurmConfig config = Documents.readYaml("""
                url: http://slurmctl-1:6820
                user: vigil
                tokenFile: /etc/vigil/slurm.jwt
                timeout: 5s
                commandEnvironment:
                  SLURM_CONF: /etc/slurm/slurm.conf
                """, SlurmConfig.class, "slurm.yaml");
        assertThat(config.tokenFile()).isEqualTo(Path.of("/etc/vigil/slurm.jwt"));
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.commandEnvironment()).containsEntry("SLURM_CONF", "/etc/slurm/slurm.conf");

        assertThatThrownBy(() -> Documents.readYaml("url: ftp://x\nuser: vigil\ntoken: t\n", SlurmConfig.class, "slurm.yaml"))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessageContaining("url: \"ftp://x\" is not allowed (allowed: an http:// or https:// address");
        assertThatThrownBy(() -> Documents.readYaml("url: http://x:6820\nuser: vigil\n", SlurmConfig.class, "slurm.yaml"))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessageContaining("token: missing (required: a JWT (token) or a file holding one (tokenFile))");
        assertThatThrownBy(() -> Documents.readYaml("url: http://x:6820\nuser: vigil\ntoken: t\ntokenFile: /f\n",
                SlurmConfig.class, "slurm.yaml"))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessageContaining("tokenFile: \"/f\" is not allowed (allowed: nothing when token is given");
        assertThatThrownBy(() -> Documents.readYaml("url: http://x:6820\nuser: vigil\ntoken: t\ntimeuot: 5s\n",
                SlurmConfig.class, "slurm.yaml"))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessageContaining("unknown key \"timeuot\"");
    }

    private static void assertRefused(Runnable build, String message) {
        assertThatThrownBy(build::run).isInstanceOf(InvalidValueException.class).hasMessageContaining(message);
    }
}
