package dev.vigil.controller;

import dev.vigil.api.binding.Documents;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.controller.leader.EventLoop;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.apache.ignite.Ignition;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three controller members in one JVM (persistence off, a 2 s failure detection), for tests of what
 * survives a leader stopped as a crash would stop it; and the agents reporting to them.
 */
final class ThreeMembers implements AutoCloseable {
    private static final List<String> NAMES = List.of("r1", "r2", "r3");

    private final Map<String, TestController> members = new LinkedHashMap<>();
    private final List<FakeAgent> agents = new ArrayList<>();

    /** Starts the members; {@code sections} is more of each one's config (YAML, e.g. a runbooks: line). */
    ThreeMembers(Path dir, String sections) throws Exception {
        StringBuilder list = new StringBuilder();
        for (String name : NAMES) {
            list.append("    - {name: ").append(name).append(", address: \"127.0.0.1:")
                    .append(TestController.freePort()).append("\"}\n");
        }
        int communication = TestController.freePort();
        Map<String, Controller> started = new LinkedHashMap<>();
        for (String name : NAMES) {
            String yaml = """
                    member: %s
                    listen: 127.0.0.1:%d
                    dataDir: %s
                    nodeTimeout: 30s
                    scheduler: {backend: simulated, interval: 100ms}
                    tokens: {adminFile: %s, agentFile: %s}
                    %s
                    cluster:
                      persistence: false
                      communicationPort: %d
                      failureDetectionTimeout: 2s
                      members:
                    %s""".formatted(name, TestController.freePort(), dir.resolve(name), dir.resolve("admin.token"),
                    dir.resolve("agent.token"), sections, communication, list);
            ControllerConfig config = Documents.readYaml(yaml, ControllerConfig.class, name);
            started.put(name, Controller.start(config, config.alerts().load(), Clock.systemUTC(),
                    UnaryOperator.identity(), EventLoop.Listener.NONE));
        }
        for (Map.Entry<String, Controller> member : started.entrySet()) {
            assertThat(member.getValue().awaitReady(Duration.ofSeconds(90))).as(member.getKey() + " ready").isTrue();
            members.put(member.getKey(), TestController.of(member.getValue(), dir));
        }
    }

    /** The member that leads now, or null. */
    String leader() {
        return members.keySet().stream().filter(name -> {
            try {
                return Ignition.ignite(name) != null && members.get(name).controller().leading();
            } catch (RuntimeException e) {
                return false;
            }
        }).findFirst().orElse(null);
    }

    /** A member that does not lead now. */
    TestController follower() {
        String leader = leader();
        return members.get(NAMES.stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow());
    }

    /** Stops the leader as a crash would, and waits for another member to lead. */
    void stopLeader() throws Exception {
        String leader = leader();
        Ignition.stop(leader, true);
        await(Duration.ofSeconds(60), () -> {
            String now = leader();
            return now != null && !now.equals(leader);
        });
    }

    /** A write tried again while members answer 503 (leadership moving). */
    static HttpResponse<String> write(TestController member, String method, String path, String token, String body)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpResponse<String> answer = member.send(method, path, token, body);
            if (answer.statusCode() != 503 || System.nanoTime() > deadline) {
                return answer;
            }
            Thread.sleep(100);
        }
    }

    /** An agent of an HGX H100 node reporting through {@code member}: its first report is tried again while members settle. */
    FakeAgent agent(TestController member, String node) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                FakeAgent agent = new FakeAgent(member, member.token("agent"), node,
                        SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of()));
                agents.add(agent);
                return agent;
            } catch (IOException e) {
                assertThat(System.nanoTime()).as("no first report within 60 s: %s", e).isLessThan(deadline);
            }
        }
    }

    /** A field of what {@code path} answers, or null while it answers anything but 200 (not there yet, 503). */
    static String field(TestController member, String path, String token, String field) throws Exception {
        HttpResponse<String> answer = member.send("GET", path, token, null);
        return answer.statusCode() == 200 ? Documents.json().readTree(answer.body()).path(field).asText() : null;
    }

    @Override
    public void close() throws Exception {
        for (FakeAgent agent : agents) {
            agent.close();
        }
        for (TestController member : members.values()) {
            try {
                member.close();
            } catch (RuntimeException e) {
                // stopped by the test already
            }
        }
    }
}
