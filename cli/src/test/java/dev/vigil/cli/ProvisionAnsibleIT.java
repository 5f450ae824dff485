package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.AuditEntry;
import dev.vigil.provisioning.ssh.SshTarget;
import dev.vigil.provisioning.testhosts.TestHosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code vigil provision ansible} with the real ansible-playbook against the first test host
 * (scripts/testhosts/start.sh), the nodes and the audit route from a {@link StandInController}:
 * a read-only playbook in check mode reaches the host through vigil's key and pinned host keys,
 * and the recap recorded is the one ansible printed; with the pinned key missing, ansible's ssh
 * refuses the host and the run is recorded unreachable. Skips without ansible-playbook or the test
 * hosts unless {@code VIGIL_REQUIRE_TESTHOSTS=1} (CI installs ansible-core and starts them).
 */
class ProvisionAnsibleIT {
    @TempDir
    Path dir;
    private StandInController controller;
    private SshTarget host;
    private Path playbook;

    @BeforeEach
    void start() throws Exception {
        TestHosts.require();
        boolean ansible = new ProcessBuilder("sh", "-c", "command -v ansible-playbook").start().waitFor() == 0;
        if (!ansible && "1".equals(System.getenv("VIGIL_REQUIRE_TESTHOSTS"))) {
            fail("VIGIL_REQUIRE_TESTHOSTS=1 but ansible-playbook is not on the PATH (apt-get install ansible-core)");
        }
        assumeTrue(ansible, "ansible-playbook is not on the PATH (apt-get install ansible-core)");
        host = TestHosts.targets().get(0);
        controller = new StandInController();
        ContextFile.environment = name -> null;
        controller.answer("GET /v1/nodes", 200, Map.of("nodes", List.of(Map.of("name", host.name(),
                        "model", "NVIDIA H100 80GB HBM3"))))
                .answer("GET /v1/nodes/" + host.name(), 200, Map.of("name", host.name(), "state", "ready"))
                .answer("POST /v1/provisioning/ansible-runs", 201, new AuditEntry(1, Instant.EPOCH, "ops", "operator",
                        null, "POST /v1/provisioning/ansible-runs", "d", 201, "recorded"));
        // Read-only even outside check mode: it asks the host's stand-in nvidia-smi for its GPUs.
        playbook = Files.writeString(dir.resolve("gpus.yml"), """
                - name: GPUs of the fleet
                  hosts: model_nvidia_h100_80gb_hbm3
                  gather_facts: false
                  tasks:
                    - name: List the GPUs
                      ansible.builtin.command: nvidia-smi --query-gpu=name --format=csv,noheader
                      check_mode: false
                      changed_when: false
                      register: gpus
                    - name: Eight of them
                      ansible.builtin.assert:
                        that: gpus.stdout_lines | length == 8
                """);
    }

    @AfterEach
    void stop() {
        ContextFile.environment = System::getenv;
        if (controller != null) {
            controller.close();
        }
    }

    @Test
    void aCheckRunReachesTheHostWithThePinnedKeyAndItsRecapIsRecorded() throws Exception {
        Path knownHosts = TestHosts.knownHostsCopy(dir.resolve("kh"));

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = ansible(out, err, knownHosts);

        assertThat(status).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("PLAY RECAP").contains("TASK [Eight of them]");
        JsonNode recorded = recorded();
        assertThat(recorded.get("check").asBoolean()).isTrue();
        assertThat(List.of(recorded.get("exitCode").asInt(), recorded.get("hosts").asInt(), recorded.get("ok").asInt(),
                recorded.get("changed").asInt(), recorded.get("unreachable").asInt(), recorded.get("failed").asInt()))
                .containsExactly(0, 1, 2, 0, 0, 0);
    }

    @Test
    void aHostWhoseKeyIsNotPinnedIsUnreachableAndRecordedSo() throws Exception {
        Path empty = Files.writeString(dir.resolve("known_hosts"), "");

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = ansible(out, err, empty);

        assertThat(status).as(out + "\n" + err).isEqualTo(4);
        assertThat(out.toString()).contains("Host key verification failed");
        JsonNode recorded = recorded();
        assertThat(recorded.get("unreachable").asInt()).isEqualTo(1);
        assertThat(recorded.get("exitCode").asInt()).isEqualTo(4);
    }

    private int ansible(StringWriter out, StringWriter err, Path knownHosts) {
        CommandLine cli = Vigil.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute("provision", "ansible", playbook.toString(), "--check", "--url", controller.url(),
                "--token", "vgl_0123456789_secret", "--hosts", TestHosts.environment().get("VIGIL_TESTHOSTS_FILE"),
                "-i", TestHosts.key().toString(), "--known-hosts", knownHosts.toString());
    }

    private JsonNode recorded() throws Exception {
        StandInController.Request post = controller.requests().stream().filter(r -> r.method().equals("POST"))
                .findFirst().orElseThrow(() -> new AssertionError("the run was not recorded"));
        return Documents.json().readTree(post.body());
    }
}
