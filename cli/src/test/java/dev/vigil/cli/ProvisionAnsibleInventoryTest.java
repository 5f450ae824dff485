package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.controller.Controller;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code vigil provision ansible-inventory} against a real controller in this JVM whose config has
 * node pools and a fabric: the inventory groups the nodes by pool and leaf as the controller lists them,
 * and ansible-inventory (ansible-core, where installed) reads it without a warning.
 */
class ProvisionAnsibleInventoryTest {
    @TempDir
    static Path dir;
    private static Controller controller;
    private static String url;
    private static String viewer;

    @BeforeAll
    static void startController() throws Exception {
        Path data = dir.resolve("data");
        String yaml = """
                member: c1
                listen: 127.0.0.1:%d
                dataDir: "%s"
                nodeTimeout: 1h
                cluster:
                  members: [{name: c1, address: "127.0.0.1:%d"}]
                  communicationPort: %d
                  persistence: false
                  failureDetectionTimeout: 2s
                scheduler:
                  pools: {training: ["gpu-[01-02]"], inference: [gpu-03]}
                fabric:
                  spines:
                    - name: spine-1
                      leaves:
                        - {name: leaf-07, nodes: ["gpu-[01-02]"]}
                        - {name: "Leaf 8 (row B)", nodes: [gpu-03]}
                """.formatted(freePort(), data, freePort(), freePort());
        controller = Controller.start(Documents.readYaml(yaml, ControllerConfig.class, "test"), Clock.systemUTC());
        assertThat(controller.awaitReady(Duration.ofSeconds(30))).as("controller ready").isTrue();
        url = "http://127.0.0.1:" + controller.port();
        viewer = Files.readString(data.resolve("admin.token"), StandardCharsets.UTF_8).trim();
        String agent = Files.readString(data.resolve("agent.token"), StandardCharsets.UTF_8).trim();
        for (String node : List.of("gpu-01", "gpu-02", "gpu-03", "gpu-04")) {
            report(node, agent);
        }
    }

    @AfterAll
    static void stopController() {
        if (controller != null) {
            controller.close();
        }
    }

    @AfterEach
    void restoreTheEnvironment() {
        ContextFile.environment = System::getenv;
    }

    @Test
    void vigilNodesShowsThePoolAndLeafTheInventoryGroupsBy() {
        CliRun nodes = CliRun.of("nodes", "--url", url, "--token", viewer);

        assertThat(nodes.exit()).as(nodes.err()).isZero();
        assertThat(nodes.out()).containsPattern("(?m)^gpu-02  +ready  +8  +0  +0  +.+  +training  +leaf-07  +")
                .containsPattern("(?m)^gpu-03  +ready  +8  +0  +0  +.+  +inference  +Leaf 8 \\(row B\\)  +")
                .containsPattern("(?m)^gpu-04  +ready  +8  +0  +0  +.+  +-  +-  +");
    }

    @Test
    void nodesAreGroupedByTheirPoolAndLeafAndAnsibleReadsTheGroups() throws Exception {
        ContextFile.environment = name -> null;
        CliRun inventory = CliRun.of("provision", "ansible-inventory", "--url", url, "--token", viewer);

        assertThat(inventory.exit()).as(inventory.err()).isZero();
        assertThat(inventory.out()).contains("""
                [pool_inference]
                gpu-03

                [pool_training]
                gpu-01
                gpu-02

                [leaf_leaf_07]
                gpu-01
                gpu-02

                [leaf_leaf_8_row_b]
                gpu-03
                """).contains("[model_nvidia_h100_80gb_hbm3]\ngpu-01\ngpu-02\ngpu-03\ngpu-04\n")
                .doesNotContain("pool_unknown", "leaf_unknown");

        JsonNode groups = ansibleInventory(Files.writeString(dir.resolve("inventory.ini"), inventory.out()));
        assertThat(groups.at("/pool_training/hosts").toString()).isEqualTo("[\"gpu-01\",\"gpu-02\"]");
        assertThat(groups.at("/leaf_leaf_8_row_b/hosts").toString()).isEqualTo("[\"gpu-03\"]");
    }

    /** ansible-inventory's view of the inventory (its --list), failing on any warning it prints. */
    private static JsonNode ansibleInventory(Path inventory) throws Exception {
        boolean installed = new ProcessBuilder("sh", "-c", "command -v ansible-inventory").start().waitFor() == 0;
        assumeTrue(installed, "ansible-inventory is not on the PATH (apt-get install ansible-core)");
        Path stderr = dir.resolve("ansible-inventory.err");
        ProcessBuilder command = new ProcessBuilder("ansible-inventory", "-i", inventory.toString(), "--list")
                .redirectError(stderr.toFile());
        command.environment().put("ANSIBLE_NOCOLOR", "1");
        Process process = command.start();
        byte[] list = process.getInputStream().readAllBytes();
        assertThat(process.waitFor()).isZero();
        assertThat(Files.readString(stderr)).as("ansible-inventory's warnings").isEmpty();
        return Documents.json().readTree(list);
    }

    private static void report(String node, String token) throws Exception {
        NodeInventory inventory = new SimulatedNode(node, SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of()),
                Clock.systemUTC()).inventory();
        List<GpuHealth> health = new ArrayList<>();
        for (GpuDevice gpu : inventory.gpus()) {
            health.add(new GpuHealth(gpu.index(), gpu.uuid(), HealthState.HEALTHY, RepairAction.NONE, List.of()));
        }
        AgentReport report = new AgentReport("agent-" + node, "test", "inventory-1", inventory, health, List.of(),
                List.of(), null, null);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(url + "/v1/agents/" + node + "/report"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Documents.json().writeValueAsBytes(report)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
