package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three controller members in their own JVMs: the leader frozen with SIGSTOP past the failure
 * timeout while the others go on (a new leader, a node it never saw), then SIGCONT. From then on
 * it answers reads only with the current state or a 503 stale-view, and never names itself leader.
 */
class PausedMemberReadsIT {
    @TempDir
    Path dir;
    private ControllerMembers members;

    @AfterEach
    void stopAll() throws InterruptedException {
        if (members != null) {
            members.close();
        }
    }

    private boolean report(String member, String node) {
        try {
            return members.send(member, "POST", "/v1/agents/" + node + "/report",
                    "{\"agentId\": \"a-" + node + "\", \"agentVersion\": \"it\", \"inventoryHash\": \"h\"}")
                    .statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void aResumedFormerLeaderServesNoStaleReadAndNamesNoStaleLeader() throws Exception {
        members = new ControllerMembers(dir, List.of("c1", "c2", "c3"));
        members.startAll();
        String paused = members.leader("c1");
        String other = members.except(paused).get(0);
        long pid = members.process(paused).pid();
        new ProcessBuilder("kill", "-STOP", String.valueOf(pid)).start().waitFor();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String next = null;
            while (next == null || next.equals(paused)) {
                assertThat(System.nanoTime()).as("the others elect a leader; %s", members.logs()).isLessThan(deadline);
                Thread.sleep(250);
                next = members.leader(other);
            }
            while (!report(other, "while-paused")) {
                assertThat(System.nanoTime()).as("a write on %s; %s", other, members.logs()).isLessThan(deadline);
                Thread.sleep(100);
            }
        } finally {
            new ProcessBuilder("kill", "-CONT", String.valueOf(pid)).start().waitFor();
        }

        Map<String, Integer> answers = new LinkedHashMap<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until) {
            HttpResponse<String> node;
            HttpResponse<String> view;
            try {
                node = members.send(paused, "GET", "/v1/nodes/while-paused", null);
                view = members.send(paused, "GET", "/v1/members", null);
            } catch (Exception e) {
                answers.merge("no answer", 1, Integer::sum); // segmented and stopped, once it learns it was dropped
                Thread.sleep(20);
                continue;
            }
            answers.merge("node " + node.statusCode() + ", members " + view.statusCode(), 1, Integer::sum);
            if (node.statusCode() == 503) {
                assertThat(node.headers().firstValue("Vigil-Stale")).as(node.body()).isPresent();
            } else {
                assertThat(node.statusCode()).as("a read from %s after SIGCONT: %s", paused, node.body())
                        .isEqualTo(200);
            }
            if (view.statusCode() == 200) {
                JsonNode seen = Documents.json().readTree(view.body());
                assertThat(seen.path("leader").asText()).as("%s after SIGCONT: %s", paused, view.body())
                        .isNotEqualTo(paused);
            }
            Thread.sleep(20);
        }
        System.out.printf("%s after SIGCONT answered (answer=times): %s%n", paused, answers);
        assertThat(answers).as("it was asked, at least").isNotEmpty();
    }
}
