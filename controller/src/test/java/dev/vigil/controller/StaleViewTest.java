package dev.vigil.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member that noticed a pause refuses reads, and names no leader, until it has confirmed its
 * view with the cluster; then it serves them as before. The pause is the detector's hook, and the
 * check with the cluster after it is held back until the test lets it through.
 */
class StaleViewTest {
    @TempDir
    static Path dataDir;
    private static TestController controller;
    private static final AtomicBoolean CHECKS_MAY_PASS = new AtomicBoolean(true);
    private static String viewer;
    private static String admin;

    /** Every read route, with what it needs to answer 200 on a confirmed member. */
    private static final List<String> READS = List.of("/v1/nodes", "/v1/nodes/stale-node", "/v1/gpus", "/v1/events",
            "/v1/audit", "/v1/jobs", "/v1/jobs/j-000001", "/v1/jobs/j-000001/why", "/v1/tokens", "/v1/alerts",
            "/v1/silences");

    @BeforeAll
    static void start() throws Exception {
        controller = TestController.start(dataDir, null, false,
                check -> () -> CHECKS_MAY_PASS.get() && check.getAsBoolean());
        admin = controller.token("admin");
        viewer = Documents.json().readTree(awaitAnswer("POST", "/v1/tokens", admin,
                "{\"name\": \"stale-viewer\", \"role\": \"viewer\"}", 201).body()).get("secret").asText();
        awaitAnswer("POST", "/v1/agents/stale-node/report", controller.token("agent"),
                "{\"agentId\": \"a-stale\", \"inventoryHash\": \"h\"}", 200);
        awaitAnswer("POST", "/v1/jobs", admin, "{\"gpus\": 8, \"models\": [\"B200\"], \"waitForNodes\": true, \"backend\": \"simulated\", "
                + "\"name\": \"waits\"}", 201);
    }

    /**
     * The answer once it has {@code status}: a loaded machine stalls the member now and then, and it
     * refuses for a moment after each stall as after any pause.
     */
    private static HttpResponse<String> awaitAnswer(String method, String path, String token, String body, int status)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpResponse<String> answer = controller.send(method, path, token, body);
        while (answer.statusCode() != status) {
            assertThat(System.nanoTime()).as("%s %s answers %d: %s", method, path, status, answer.body())
                    .isLessThan(deadline);
            Thread.sleep(50);
            answer = controller.send(method, path, token, body);
        }
        return answer;
    }

    @AfterAll
    static void stop() {
        controller.close();
    }

    private static String token(String path) {
        return path.equals("/v1/audit") || path.equals("/v1/tokens") ? admin : viewer;
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return controller.send("GET", path, token(path), null);
    }

    @Test
    void afterAPauseReadsAreRefusedUntilTheViewIsConfirmedThenServed() throws Exception {
        CHECKS_MAY_PASS.set(false);
        controller.pauseNoticed(Duration.ofSeconds(9));

        for (String path : READS) {
            HttpResponse<String> refused = get(path);
            assertThat(refused.statusCode()).as("GET %s while stale", path).isEqualTo(503);
            assertThat(refused.headers().firstValue("Content-Type")).contains("application/problem+json");
            assertThat(refused.headers().firstValue("Retry-After")).contains("1");
            assertThat(refused.headers().firstValue("Vigil-Stale")).hasValueSatisfying(v -> assertThat(v)
                    .startsWith("this member was paused (9000 ms)"));
            JsonNode problem = Documents.json().readTree(refused.body());
            assertThat(problem.get("type").asText()).isEqualTo("/problems/stale-view");
            assertThat(problem.get("detail").asText()).startsWith("this member (c1) does not serve reads: this "
                    + "member was paused (9000 ms) and has not yet confirmed its view of the cluster");
        }
        assertThat(controller.send("GET", "/v1/nodes", null, null).statusCode()).as("no token: still 401")
                .isEqualTo(401);
        HttpResponse<String> members = get("/v1/members");
        assertThat(members.statusCode()).isEqualTo(200);
        assertThat(members.headers().firstValue("Vigil-Stale")).isPresent();
        JsonNode stale = Documents.json().readTree(members.body());
        assertThat(stale.hasNonNull("leader")).as("a stale member names no leader, itself least").isFalse();
        assertThat(stale.get("members").findValuesAsText("leader")).containsOnly("false");
        assertThat(stale.get("staleReason").asText()).startsWith("this member was paused (9000 ms)");
        assertThat(controller.send("GET", "/readyz", null, null).statusCode()).isEqualTo(503);
        assertThat(controller.send("POST", "/v1/nodes/stale-node/cordon", admin, "{\"reason\": \"stale\"}")
                .statusCode()).as("writes too").isEqualTo(503);
        assertThat(controller.send("GET", "/metrics", null, null).body()).contains("vigil_controller_leader 0.0");

        CHECKS_MAY_PASS.set(true);
        for (String path : READS) {
            // The leader answers some from its memory, once it acts again after the pause has settled.
            HttpResponse<String> served = awaitAnswer("GET", path, token(path), null, 200);
            assertThat(served.headers().firstValue("Vigil-Stale")).isEmpty();
        }
        HttpResponse<String> confirmed = get("/v1/members");
        for (long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
             confirmed.headers().firstValue("Vigil-Stale").isPresent(); confirmed = get("/v1/members")) {
            assertThat(System.nanoTime()).as("members unmarked again: %s", confirmed.body()).isLessThan(deadline);
            Thread.sleep(50);
        }
        JsonNode view = Documents.json().readTree(confirmed.body());
        assertThat(view.get("leader").asText()).isEqualTo("c1");
        assertThat(view.hasNonNull("staleReason")).isFalse();
    }
}
