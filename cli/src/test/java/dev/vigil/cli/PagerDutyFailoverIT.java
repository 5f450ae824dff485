package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.alerts.fixtures.EventsV2;
import dev.vigil.alerts.fixtures.RecordingServer;
import dev.vigil.api.binding.Documents;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The page of a GPU fault across a leader failover, with nothing mocked between the agent and
 * the pager: three controller members in their own JVMs (bin/vigil controller, the shipped
 * conf/alerts.yaml routing critical alerts to PagerDuty), a simulated agent reporting to all
 * three, and a local stand-in for PagerDuty that checks every request against the Events API
 * v2's schema. An XID 79 injected through the agent's fault API is triggered once; the leader
 * that sent it is killed (kill -9) after it recorded the page as sent; the new leader does not
 * trigger again; the repair (the agent's DELETE /v1/faults) is resolved once, with the same
 * dedup_key.
 */
class PagerDutyFailoverIT {
    private static final Path SHIPPED_ALERTS = Path.of(System.getProperty("vigil.dist")).resolve("conf/alerts.yaml");
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final String ROUTING_KEY = "R0123456789abcdef0123456789ABCDE";

    @TempDir
    Path dir;
    private ControllerMembers members;
    private final List<String> schemaErrors = new CopyOnWriteArrayList<>();
    private final RecordingServer pagerDuty = new RecordingServer(202).judge(request -> {
        List<String> errors = EventsV2.check(request.body());
        schemaErrors.addAll(errors);
        return errors.isEmpty() ? new RecordingServer.Answer(202, "{\"status\":\"success\"}", null)
                : new RecordingServer.Answer(400, "{\"status\":\"invalid event\"}", null);
    });
    private Agent agent;

    @AfterEach
    void stopAll() throws InterruptedException {
        if (agent != null) {
            agent.close();
        }
        if (members != null) {
            members.close();
        }
        pagerDuty.close();
    }

    @Test
    void anXid79IsTriggeredOnceAndResolvedOnceAcrossAKilledLeader() throws Exception {
        startCluster();
        String agentToken = members.agentToken();
        SimulatedSpec spec = SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of());
        List<String> urls = members.names().stream().map(members::url).toList();
        agent = Agent.start(new AgentConfig("gpu-07", "127.0.0.1:0", BackendKind.SIMULATED,
                new AgentConfig.Sampling(Duration.ofMillis(500), null), null, null, null, null, spec,
                new AgentConfig.Controller(urls, agentToken, null, null, null)),
                new SimulatedNode("gpu-07", spec, Clock.systemUTC()), Clock.systemUTC(), null, SystemdNotifier.disabled());
        String agentUrl = "http://127.0.0.1:" + agent.port();
        await(Duration.ofSeconds(30), "gpu-07 ready", () -> "ready".equals(json("c1", "/v1/nodes/gpu-07")
                .path("state").asText()));

        assertThat(send("POST", agentUrl + "/v1/faults", "{\"gpu\": 3, \"kind\": \"xid\", \"xid\": 79}", null)
                .statusCode()).isEqualTo(202);
        await(Duration.ofSeconds(15), "the trigger", () -> !events().isEmpty());
        JsonNode trigger = events().get(0);
        String dedupKey = trigger.path("dedup_key").asText();
        String leader = members.leader("c1");
        List<String> survivors = members.except(leader);
        // Killed once it recorded the page as sent: a leader that dies in the milliseconds between
        // PagerDuty's answer and that record makes its successor send it again (at least once).
        await(Duration.ofSeconds(10), "the trigger recorded as sent", () -> json(survivors.get(0),
                "/v1/alerts/" + dedupKey).path("notifications").findValuesAsText("status").contains("sent"));

        members.process(leader).destroyForcibly();
        long killed = System.nanoTime();
        await(Duration.ofSeconds(30), "a new leader whose alert engine answers", () -> {
            JsonNode alert = json(survivors.get(0), "/v1/alerts/" + dedupKey);
            return alert.path("state").asText().equals("firing")
                    && !json(survivors.get(1), "/v1/members").path("leader").asText(leader).equals(leader);
        });
        String newLeader = members.leader(survivors.get(0));
        System.out.printf("kill -9 of leader %s: %s leads, its alert engine answering %.2f s later%n", leader,
                newLeader, (System.nanoTime() - killed) / 1e9);
        // The agent keeps reporting the fault to the new leader: no second trigger over 5 s, two
        // of the group's looks (groupInterval 2s below), at either of which a duplicate would go out.
        Thread.sleep(5_000);
        assertThat(events()).as("no trigger again from the new leader").hasSize(1);

        assertThat(send("DELETE", agentUrl + "/v1/faults?gpu=3", null, null).statusCode()).isEqualTo(200);
        await(Duration.ofSeconds(20), "the resolve", () -> events().size() >= 2);
        Thread.sleep(5_000);   // two more looks of the group: a repeated resolve would show here

        assertThat(schemaErrors).as("every request is a valid Events v2 event").isEmpty();
        assertThat(events()).extracting(e -> e.path("event_action").asText()).containsExactly("trigger", "resolve");
        assertThat(events()).extracting(e -> e.path("dedup_key").asText()).containsOnly(dedupKey);
        assertThat(trigger.path("routing_key").asText()).isEqualTo(ROUTING_KEY);
        assertThat(trigger.path("payload").path("severity").asText()).isEqualTo("critical");
        assertThat(trigger.path("payload").path("source").asText()).isEqualTo("gpu-07");
        assertThat(trigger.path("payload").path("class").asText()).isEqualTo("GpuXidFatal");
        assertThat(trigger.path("payload").path("custom_details").path("xid").asText()).isEqualTo("79");
        JsonNode resolved = json(survivors.get(1), "/v1/alerts/" + dedupKey);
        assertThat(resolved.path("state").asText()).isEqualTo("resolved");
        assertThat(resolved.path("notifications").findValuesAsText("action")).containsExactly("trigger", "resolve");
        assertThat(resolved.path("notifications").findValuesAsText("status")).containsOnly("sent");
    }

    private List<JsonNode> events() {
        return pagerDuty.requests().stream().map(request -> {
            try {
                return Documents.json().readTree(request.body());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    private void startCluster() throws Exception {
        members = new ControllerMembers(dir, List.of("c1", "c2", "c3"));
        // The shipped rules and routing, with critical alerts paging the stand-in. A resolution goes
        // out at the group's next look (Alertmanager's groupInterval, 1m shipped): 2s here.
        Files.writeString(dir.resolve("alerts.yaml"), Files.readString(SHIPPED_ALERTS)
                .replace("  - name: log\n    log: {}\n", "  - name: log\n    log: {}\n  - name: oncall\n"
                        + "    pagerduty: {routingKey: " + ROUTING_KEY + ", url: \"" + pagerDuty.url("/v2/enqueue")
                        + "\"}\n")
                .replace("      receiver: log\n", "      receiver: oncall\n")
                .replace("      groupInterval: 1m\n", "      groupInterval: 2s\n"));
        members.startAll();
    }

    private JsonNode json(String member, String path) {
        return members.json(member, path);
    }

    private static HttpResponse<String> send(String method, String url, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void await(Duration limit, String what, BooleanSupplier done) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + limit.toSeconds() + " s for " + what + "; PagerDuty got "
                        + pagerDuty.requests() + members.logs());
            }
            Thread.sleep(100);
        }
    }
}
