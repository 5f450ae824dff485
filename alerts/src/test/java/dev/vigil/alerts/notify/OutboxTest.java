package dev.vigil.alerts.notify;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vigil.alerts.store.MemoryAlertStore;
import dev.vigil.api.binding.Documents;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

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

    @Test
    void aLongerRetryAfterThanTheBackoffIsHonouredAShorterOneIsNotAndEachAttemptCountsOnce() {
        Outbox outbox = new Outbox(store);
        outbox.enqueue(List.of(pd("f1", "trigger", T0)), T0);
        outbox.complete(outbox.takeDue(T0, OPEN).get(0).id(), new Outcome.Retry("HTTP 429", Duration.ofSeconds(30)), T0);
        assertThat(outbox.nextDue()).isEqualTo(T0.plusSeconds(30));
        assertThat(outbox.takeDue(T0.plusSeconds(29), OPEN)).isEmpty();
        Delivery again = outbox.takeDue(T0.plusSeconds(30), OPEN).get(0);
        assertThat(again.attempts()).isEqualTo(1);
        assertThat(outbox.nextDue()).as("nothing waits while the only delivery is in flight").isNull();
        outbox.complete(again.id(), new Outcome.Retry("HTTP 503", Duration.ofMillis(100)), T0.plusSeconds(30));
        assertThat(outbox.nextDue()).as("the 2 s backoff, not the shorter Retry-After").isEqualTo(T0.plusSeconds(32));
        outbox.complete(outbox.takeDue(T0.plusSeconds(32), OPEN).get(0).id(), new Outcome.Sent(202),
                T0.plusSeconds(32));
        assertThat(store.deliveries()).singleElement().satisfies(d -> {
            assertThat(d.status()).isEqualTo(Delivery.Status.SENT);
            assertThat(d.attempts()).isEqualTo(3);
            assertThat(d.doneAt()).isEqualTo(T0.plusSeconds(32));
        });
        assertThat(outbox.nextDue()).as("nothing left to send").isNull();
        outbox.complete(again.id(), new Outcome.Failed("late answer"), T0.plusSeconds(40));
        assertThat(store.deliveries()).as("a finished delivery does not change").singleElement()
                .satisfies(d -> assertThat(d.status()).isEqualTo(Delivery.Status.SENT));
    }

    @Test
    void theNextDueTimeIsTheEarliestOfTheWaitingDeliveries() {
        Outbox outbox = new Outbox(store);
        outbox.enqueue(List.of(pd("f1", "trigger", T0), pd("f2", "trigger", T0)), T0);
        List<Delivery> due = outbox.takeDue(T0, OPEN);
        outbox.complete(due.get(0).id(), new Outcome.Retry("HTTP 503", Duration.ofSeconds(50)), T0);
        outbox.complete(due.get(1).id(), new Outcome.Retry("HTTP 503", Duration.ofSeconds(20)), T0);
        assertThat(outbox.nextDue()).isEqualTo(T0.plusSeconds(20));
        outbox.enqueue(List.of(pd("f3", "trigger", T0.plusSeconds(10))), T0.plusSeconds(10));
        assertThat(outbox.nextDue()).isEqualTo(T0.plusSeconds(10));
    }

    @Test
    void dueDeliveriesComeOldestFirstAcrossOrderKeysSoARateLimitLetsTheOldestGo() {
        Outbox outbox = new Outbox(store);
        List<Delivery> planned = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            planned.add(pd("alert-" + (char) ('a' + i), "trigger", T0));
        }
        List<Long> sequences = outbox.enqueue(planned, T0).stream().map(Delivery::sequence).toList();
        assertThat(outbox.takeDue(T0, OPEN)).extracting(Delivery::sequence).containsExactlyElementsOf(sequences);

        Outbox limited = new Outbox(new MemoryAlertStore());
        limited.enqueue(planned, T0);
        int[] admitted = {0};
        Outbox.Gate onePerMinute = (d, now) -> admitted[0]++ == 0 ? null : now.plusSeconds(60);
        assertThat(limited.takeDue(T0, onePerMinute)).singleElement()
                .satisfies(d -> assertThat(d.fingerprints()).containsExactly("alert-a"));
        assertThat(limited.nextDue()).as("the others wait for the gate's time").isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void everyReceiverWithDeliveriesOrCountsShowsAndOnlyTriedOnesCountAsRetrying() {
        Outbox outbox = new Outbox(store);
        outbox.enqueue(List.of(pd("f1", "trigger", T0), pd("f2", "trigger", T0)), T0);
        assertThat(outbox.status(Map.of())).as("known from its pending deliveries").singleElement().satisfies(s -> {
            assertThat(s.receiver()).isEqualTo("oncall");
            assertThat(s.kind()).isEqualTo("pagerduty");
            assertThat(s.pending()).isEqualTo(2);
            assertThat(s.retrying()).isZero();
        });
        List<Delivery> due = outbox.takeDue(T0, OPEN);
        outbox.complete(due.get(0).id(), new Outcome.Retry("HTTP 503", null), T0);
        outbox.complete(due.get(1).id(), new Outcome.Sent(202), T0);
        assertThat(outbox.status(Map.of("chatops", "webhook"))).extracting(NotifierStatus::receiver,
                NotifierStatus::kind, NotifierStatus::sent, NotifierStatus::retries, NotifierStatus::pending,
                NotifierStatus::retrying).containsExactly(
                tuple("chatops", "webhook", 0L, 0L, 0, 0),
                tuple("oncall", "pagerduty", 1L, 1L, 1, 1));
        outbox.complete(outbox.takeDue(T0.plusSeconds(1), OPEN).get(0).id(), new Outcome.Sent(202), T0.plusSeconds(1));
        outbox.prune(T0.plus(Duration.ofHours(2)));
        assertThat(outbox.deliveries()).isEmpty();
        assertThat(outbox.status(Map.of())).as("known from its counts once its deliveries are pruned").singleElement()
                .satisfies(s -> {
                    assertThat(s.receiver()).isEqualTo("oncall");
                    assertThat(s.sent()).isEqualTo(2);
                    assertThat(s.lastSentAt()).isEqualTo(T0.plusSeconds(1));
                });
    }

    @Test
    void theLogSaysWhatHappenedToEachDeliveryAndWhy() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Outbox.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            Outbox outbox = new Outbox(store);
            outbox.enqueue(List.of(pd("f1", "trigger", T0), hook(1, T0)), T0);
            List<Delivery> due = outbox.takeDue(T0, OPEN);
            outbox.complete(due.get(0).id(), new Outcome.Retry("HTTP 503", null), T0);
            outbox.complete(due.get(1).id(), new Outcome.Failed("HTTP 400: bad"), T0);
            outbox.complete(outbox.takeDue(T0.plusSeconds(1), OPEN).get(0).id(), new Outcome.Sent(202),
                    T0.plusSeconds(1));
            assertThat(lines.list).extracting(ILoggingEvent::getMessage, ILoggingEvent::getLevel, OutboxTest::keyValues)
                    .containsExactly(
                            tuple("notification_retry", Level.WARN,
                                    "receiver=oncall kind=pagerduty action=trigger alerts=1 attempts=1 fingerprint=f1 "
                                            + "error=HTTP 503 note=next attempt in 1000ms"),
                            tuple("notification_failed", Level.ERROR,
                                    "receiver=chatops kind=webhook action=notify alerts=1 attempts=1 fingerprint=f "
                                            + "error=HTTP 400: bad note=refused by the receiver; not retried"),
                            tuple("notification_sent", Level.INFO,
                                    "receiver=oncall kind=pagerduty action=trigger alerts=1 attempts=2 fingerprint=f1"));
        } finally {
            logger.detachAppender(lines);
        }
    }

    private static String keyValues(ILoggingEvent event) {
        return event.getKeyValuePairs().stream().map(kv -> kv.key + "=" + kv.value)
                .collect(Collectors.joining(" "));
    }
}
