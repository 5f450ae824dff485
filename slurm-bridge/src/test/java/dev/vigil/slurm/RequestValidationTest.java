package dev.vigil.slurm;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;

import java.net.URI;
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
    void everyFieldOfAJobRequestIsChecked() {
        assertRefused(() -> valid().name("n".repeat(129)).build(), "name: \"" + "n".repeat(129) + "\" is not allowed");
        assertRefused(() -> valid().nodes(List.of("gpu01", "gpu02", "gpu01")).build(),
                "nodes: \"[gpu01, gpu02, gpu01]\" is not allowed (allowed: each node once)");
        assertRefused(() -> valid().gpusPerNode(-1).build(), "gpusPerNode: \"-1\" is not allowed");
        assertRefused(() -> valid().maxSwitches(1, Duration.ofSeconds(-1)).build(),
                "switchWait: \"-1s\" is not allowed (allowed: a duration, e.g. 5m)");
        assertRefused(() -> new JobRequest("vigil", "#!/bin/bash\n", null, 0, 0, false, null, Duration.ofMinutes(5), null,
                        null, null, null, "/tmp", null, null, null),
                "switchWait: \"5m\" is not allowed (allowed: only together with maxSwitches)");
        assertRefused(() -> valid().account("ml team").build(), "account: \"ml team\" is not allowed (allowed: an account name)");
        assertRefused(() -> valid().comment("two\nlines").build(), "comment: \"two\nlines\" is not allowed (allowed: text on one line)");
        assertRefused(() -> valid().output(" ").build(), "output: \" \" is not allowed (allowed: a file path");
        assertRefused(() -> valid().output("/tmp/a\tb").build(), "output: \"/tmp/a\tb\" is not allowed");
        assertRefused(() -> valid().environment(Map.of("A", "x\0y")).build(),
                "environment.A: \"x\0y\" is not allowed (allowed: a value without NUL characters)");
        assertRefused(() -> valid().environment(Map.of("A", "\0")).build(), "environment.A: \"\0\" is not allowed");
        assertRefused(() -> JobRequest.builder("\n#!/bin/bash\n").workingDirectory("/tmp").build(),
                "script: \"\" is not allowed");
        assertRefused(() -> JobRequest.builder("echo hi\n#!/bin/bash").workingDirectory("/tmp").build(),
                "script: \"echo hi\" is not allowed");
    }

    @Test
    void theLimitsThemselvesAreAllowed() {
        JobRequest request = valid().name("n".repeat(128)).gpusPerNode(64).account("ml").comment("vigil:j-000001/1")
                .output("/tmp/%j.out").maxSwitches(1, Duration.ZERO).requeue(true).environment(Map.of("A", ""))
                .build();
        assertThat(request.name()).hasSize(128);
        assertThat(request.gpusPerNode()).isEqualTo(64);
        assertThat(request.account()).isEqualTo("ml");
        assertThat(request.requeue()).isTrue();
        assertThat(request.switchWait()).isZero();
        assertThat(request.environment()).containsEntry("A", "");
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

    @Test
    void aConfigNamesEveryBadValue() {
        URI url = URI.create("http://slurmctl-1:6820");
        assertThatThrownBy(() -> SlurmConfig.of(url, "vigil user", "jwt"))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("user: \"vigil user\" is not allowed");
        assertThatThrownBy(() -> SlurmConfig.of(url, "vigil", " "))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("token: \" \" is not allowed");
        assertThatThrownBy(() -> new SlurmConfig(url, "vigil", "jwt", null, Duration.ZERO, null))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("timeout: \"0s\" is not allowed");
        assertThatThrownBy(() -> new SlurmConfig(url, "vigil", "jwt", null, Duration.ofSeconds(-1), null))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("timeout: \"-1s\" is not allowed");
        assertThatThrownBy(() -> new SlurmConfig(url, "vigil", "jwt", null, Duration.ofMinutes(5).plusSeconds(1), null))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("timeout: \"301s\" is not allowed "
                        + "(allowed: more than 0s, at most 5m)");
        assertThat(new SlurmConfig(url, "vigil", "jwt", null, Duration.ofMinutes(5), null).timeout())
                .isEqualTo(Duration.ofMinutes(5));
        assertThat(SlurmConfig.of(url, "vigil", "jwt").timeout()).isEqualTo(Duration.ofSeconds(10));
    }

    private static void assertRefused(Runnable build, String message) {
        assertThatThrownBy(build::run).isInstanceOf(InvalidValueException.class).hasMessageContaining(message);
    }
}
