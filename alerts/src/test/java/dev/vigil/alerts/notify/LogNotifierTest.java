package dev.vigil.alerts.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.alerts.lifecycle.Alert;
import dev.vigil.alerts.routing.Notification;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class LogNotifierTest {
    private static final Instant T0 = Instant.parse("2026-11-22T03:00:00Z");

    @Test
    void eachLineSaysWhetherItsAlertFiresStillFiresOrResolvedWithItsLabelsAndSummary() {
        Alert firing = PagerDutyTest.xid79("XID 79 on gpu-07");
        Alert resolved = PagerDutyTest.xid79("XID 79 on gpu-07").resolvedAt(T0.plusSeconds(60));
        LogNotifier log = new LogNotifier("ops");

        JsonNode news = body(log, new Notification("{}:{}", "ops", new TreeMap<>(), 1, List.of(firing),
                List.of(firing), List.of(resolved), false, T0));
        assertThat(news.get(0).path("status").asText()).isEqualTo("firing");
        assertThat(news.get(0).path("xid").asText()).isEqualTo("79");
        assertThat(news.get(0).path("node").asText()).isEqualTo("gpu-07");
        assertThat(news.get(0).path("summary").asText()).isEqualTo("XID 79 on gpu-07");
        assertThat(news.get(1).path("status").asText()).isEqualTo("resolved");

        JsonNode repeat = body(log, new Notification("{}:{}", "ops", new TreeMap<>(), 2, List.of(firing),
                List.of(), List.of(), true, T0));
        assertThat(repeat).singleElement().satisfies(line -> assertThat(line.path("status").asText())
                .isEqualTo("still-firing"));
    }

    private static JsonNode body(LogNotifier log, Notification notification) {
        return log.plan(notification, T0).get(0).body().path("alerts");
    }
}
