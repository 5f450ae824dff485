package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.Problem;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.AuditEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vigil provision ansible} against a {@link StandInController} and a stand-in
 * ansible-playbook (a script that prints its arguments, the inventory it was given and a recap):
 * the inventory comes from the controller's nodes, the output streams through, the exit status
 * passes on, and the run is recorded with the recap's counts, with the URL and token of the
 * context file like every other command.
 */
class ProvisionAnsibleTest {
    private static final String TOKEN = "vgl_0123456789_secret";
    @TempDir
    Path dir;
    private StandInController controller;

    @BeforeEach
    void start() throws Exception {
        controller = new StandInController();
        Path context = dir.resolve("context.yaml");
        Files.writeString(context, "url: " + controller.url() + "\ntoken: " + TOKEN + "\n");
        ContextFile.environment = name -> name.equals("VIGIL_CONTEXT") ? context.toString() : null;
        controller.answer("GET /v1/nodes", 200, Map.of("nodes", List.of(Map.of("name", "gpu-01",
                        "model", "NVIDIA H100 80GB HBM3"), Map.of("name", "gpu-02", "model", "NVIDIA H100 80GB HBM3"))))
                .answer("GET /v1/nodes/gpu-01", 200, Map.of("name", "gpu-01", "state", "ready"))
                .answer("GET /v1/nodes/gpu-02", 200, Map.of("name", "gpu-02", "state", "cordoned"));
    }

    @AfterEach
    void stop() {
        ContextFile.environment = System::getenv;
        controller.close();
    }

    /** A stand-in ansible-playbook: its arguments, the inventory file's text, a recap, then {@code exit}. */
    private Path ansible(int exit) throws Exception {
        Path script = dir.resolve("ansible-playbook");
        Files.writeString(script, """
                #!/bin/sh
                echo "args: $*"
                cat "$2"
                echo "PLAY RECAP *****"
                echo "gpu-01 : ok=4 changed=1 unreachable=0 failed=0 skipped=0"
                echo "gpu-02 : ok=2 changed=0 unreachable=0 failed=1 skipped=0"
                exit %d
                """.formatted(exit));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void runsThePlaybookOnTheFleetsInventoryAndRecordsTheRecapWithTheContextFilesToken() throws Exception {
        controller.answer("POST /v1/provisioning/ansible-runs", 201, new AuditEntry(42, Instant.EPOCH, "ops",
                "operator", null, "POST /v1/provisioning/ansible-runs", "d", 201, "ansible run failed"));

        CliRun run = vigil("provision", "ansible", "ansible/gpu_nodes.yml", "--limit", "state_ready", "--check",
                "-e", "nvidia_driver_skip_reboot=true", "--hosts", "gpu-01 ops@10.0.0.1:2222",
                "--ansible-playbook", ansible(2).toString());

        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.out()).contains("args: -i ").contains(" --limit state_ready --check -e nvidia_driver_skip_reboot=true "
                + "ansible/gpu_nodes.yml").contains("[gpu_nodes]\ngpu-01 ansible_host=10.0.0.1 ansible_port=2222 "
                + "ansible_user=ops\ngpu-02\n").contains("[state_cordoned]\ngpu-02\n")
                .contains("gpu-02 : ok=2 changed=0 unreachable=0 failed=1");
        StandInController.Request recorded = controller.requests().stream()
                .filter(r -> r.method().equals("POST")).findFirst().orElseThrow();
        assertThat(recorded.authorization()).isEqualTo("Bearer " + TOKEN);
        JsonNode body = Documents.json().readTree(recorded.body());
        assertThat(body.get("playbook").asText()).isEqualTo("ansible/gpu_nodes.yml");
        assertThat(body.get("limit").asText()).isEqualTo("state_ready");
        assertThat(body.get("check").asBoolean()).isTrue();
        assertThat(List.of(body.get("exitCode").asInt(), body.get("hosts").asInt(), body.get("ok").asInt(),
                body.get("changed").asInt(), body.get("unreachable").asInt(), body.get("failed").asInt()))
                .containsExactly(2, 2, 6, 1, 0, 1);
        assertThat(run.err()).contains("recorded in the controller's audit log (entry 42)");
    }

    @Test
    void aRunThatCannotBeRecordedFailsEvenWhenAnsibleSucceeded() throws Exception {
        controller.problem("POST /v1/provisioning/ansible-runs", Problem.of(403, "forbidden", "Forbidden",
                "needs role operator", null));

        CliRun run = vigil("provision", "ansible", "site.yml", "--ansible-playbook", ansible(0).toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("provision ansible: the run was not recorded in the audit log")
                .contains("403 Forbidden: needs role operator");
    }

    @Test
    void aKeyWithoutPinnedHostKeysIsRefusedBeforeAnythingRuns() throws Exception {
        CliRun run = vigil("provision", "ansible", "site.yml", "-i", "id", "--ansible-playbook", ansible(0).toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("-i and --known-hosts go together");
        assertThat(controller.requests()).noneMatch(r -> r.method().equals("POST"));
    }

    private CliRun vigil(String... args) {
        return CliRun.of(args);
    }
}
