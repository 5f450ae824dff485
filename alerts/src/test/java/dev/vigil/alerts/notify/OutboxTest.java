package dev.vigil.alerts.notify;

import dev.vigil.alerts.store.MemoryAlertStore;
import dev.vigil.api.binding.Documents;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OutboxTest {
    private static final Instant T0 = Instant.parse("2026-11-22T03:00:00Z");
    private static final Outbox.Gate OPEN = (d, now) -> null;
    private final MemoryAlertStore store = new MemoryAlertStore();

    private static Delivery pd(String fingerprint, String action, Instant at) {
        return Delivery.planned("pagerduty/oncall/" + fingerprint + "/" + action + "/0", "oncall", "pagerduty", action,
                "pagerduty/oncall/" + fingerprint, false, "pagerduty:k", List.of(fingerprint),
                Documents.json().createObjectNode().put("event_action", action), at);
    }

    private static Delivery hook(int seq, Instant at) {
        return Delivery.planned("webhook/chatops/g/" + seq, "chatops", "webhook", "notify", "webhook/chatops/g", true,
                null, List.of("f"), Documents.json().createObjectNode().put("seq", seq), at);
    }

    @Test
    void aPlannedDeliveryIsRecordedBeforeItIsSentAndAReplannedOneIsRecognised() {
        Outbox outbox = new Outbox(store);
        assertThat(outbox.enqueue(List.of(pd("f1", "trigger", T0)), T0)).hasSize(1);
        assertThat(store.deliveries()).singleElement().satisfies(d -> assertThat(d.status()).isEqualTo(Delivery.Status.PENDING));
        assertThat(outbox.enqueue(List.of(pd("f1", "trigger", T0)), T0)).as("same id").isEmpty();
        assertThat(new Outbox(store).enqueue(List.of(pd("f1", "trigger", T0)), T0)).as("a new leader's plan").isEmpty();
    }

    @Test
    void aResolveWaitsBehindItsTriggerAndFailuresAreRetriedWithGrowingBackoff() {
        Outbox outbox = new Outbox(store);
        outbox.enqueue(List.of(pd("f1", "trigger", T0)), T0);
        outbox.complete(outbox.takeDue(T0, OPEN).get(0).id(), new Outcome.Retry("HTTP 503", null), T0);
        outbox.enqueue(List.of(pd("f1", "resolve", T0)), T0);
        assertThat(store.deliveries()).as("a tried trigger is not retired by its resolve")
                .allSatisfy(d -> assertThat(d.status()).isEqualTo(Delivery.Status.PENDING));
        assertThat(outbox.takeDue(T0.plusMillis(999), OPEN)).isEmpty();
        List<Delivery> due = outbox.takeDue(T0.plusSeconds(1), OPEN);
        assertThat(due).singleElement().satisfies(d -> assertThat(d.action()).isEqualTo("trigger"));
        outbox.complete(due.get(0).id(), new Outcome.Retry("HTTP 429", null), T0.plusSeconds(1));
        assertThat(outbox.takeDue(T0.plusSeconds(2), OPEN)).as("2 s after the second failure").isEmpty();
        due = outbox.takeDue(T0.plusSeconds(3), OPEN);
        outbox.complete(due.get(0).id(), new Outcome.Sent(202), T0.plusSeconds(3));
        assertThat(outbox.takeDue(T0.plusSeconds(3), OPEN)).singleElement()
                .satisfies(d -> assertThat(d.action()).isEqualTo("resolve"));
        assertThat(Outbox.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(Outbox.backoff(4)).isEqualTo(Duration.ofSeconds(8));
        assertThat(Outbox.backoff(30)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aRefusalIsKeptWithTheReceiversAnswerAndNeverRetried() {
        Outbox outbox = new Outbox(store);
        outbox.enqueue(List.of(pd("f1", "trigger", T0)), T0);
        outbox.complete(outbox.takeDue(T0, OPEN).get(0).id(),
                new Outcome.Failed("HTTP 400: {\"status\":\"invalid event\"}"), T0);
        assertThat(outbox.takeDue(T0.plus(Duration.ofHours(1)), OPEN)).isEmpty();
        assertThat(store.deliveries()).singleElement().satisfies(d -> {
            assertThat(d.status()).isEqualTo(Delivery.Status.FAILED);
            assertThat(d.lastError()).contains("invalid event");
        });
        assertThat(new Outbox(store).status(Map.of("oncall", "pagerduty"))).singleElement()
                .satisfies(s -> assertThat(s.lastError()).as("shown by the next leader too").contains("HTTP 400"));
        outbox.prune(T0.plus(Duration.ofHours(23)));
        assertThat(store.deliveries()).hasSize(1);
        outbox.prune(T0.plus(Duration.ofHours(24)));
        assertThat(store.deliveries()).isEmpty();
    }

    @Test
    void aTriggerNeverTriedIsRetiredWithItsResolve() {
        Outbox outbox = new Outbox(store);
        outbox.enqueue(List.of(pd("f1", "trigger", T0)), T0);
        outbox.enqueue(List.of(pd("f1", "resolve", T0)), T0);
        assertThat(outbox.takeDue(T0, OPEN)).isEmpty();
        assertThat(store.deliveries()).allSatisfy(d -> assertThat(d.status()).isEqualTo(Delivery.Status.SUPERSEDED));
        assertThat(outbox.status(Map.of())).singleElement().satisfies(s -> assertThat(s.superseded()).isEqualTo(2));
    }

    @Test
    void aNewerSnapshotReplacesAnUnsentOneButNotOneInFlight() {
        Outbox outbox = new Outbox(store);
        outbox.enqueue(List.of(hook(1, T0)), T0);
        Delivery inFlight = outbox.takeDue(T0, OPEN).get(0);
        outbox.enqueue(List.of(hook(2, T0)), T0);
        outbox.enqueue(List.of(hook(3, T0)), T0);
        outbox.complete(inFlight.id(), new Outcome.Sent(200), T0);
        assertThat(outbox.takeDue(T0, OPEN)).extracting(d -> d.body().path("seq").asInt()).containsExactly(3);
        assertThat(outbox.deliveries()).extracting(Delivery::status).containsExactly(Delivery.Status.SENT,
                Delivery.Status.SUPERSEDED, Delivery.Status.PENDING);
    }

    @Test
    void aRateLimitHoldsDeliveriesBackUntilTheWindowHasRoom() {
        RateLimiter limiter = new RateLimiter();
        for (int i = 0; i < 120; i++) {
            assertThat(limiter.admit("k", 120, T0.plusMillis(i))).isNull();
        }
        assertThat(limiter.admit("k", 120, T0.plusSeconds(30))).isEqualTo(T0.plusSeconds(60));
        assertThat(limiter.admit("other", 120, T0.plusSeconds(30))).isNull();
        assertThat(limiter.admit("k", 120, T0.plusSeconds(60))).isNull();
    }
}
