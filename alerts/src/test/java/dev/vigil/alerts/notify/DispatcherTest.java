package dev.vigil.alerts.notify;

import dev.vigil.alerts.fixtures.RecordingServer;
import dev.vigil.alerts.store.MemoryAlertStore;
import dev.vigil.api.binding.Documents;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DispatcherTest {
    private static final String KEY = "0123456789abcdef0123456789abcdef";

    private static Delivery trigger(String fingerprint, String rateKey) {
        return Delivery.planned("pagerduty/oncall/" + fingerprint + "/trigger/0", "oncall", "pagerduty", "trigger",
                "pagerduty/oncall/" + fingerprint, false, rateKey, List.of(fingerprint),
                Documents.json().createObjectNode().put("event_action", "trigger").put("dedup_key", fingerprint),
                Instant.now());
    }

    @Test
    void inTheBackgroundANewDeliveryGoesOutWhenWokenAndARetryWhenItsTimeComes() throws Exception {
        try (RecordingServer server = new RecordingServer(202)) {
            server.answer(new RecordingServer.Answer(503, "busy", "1"));
            Outbox outbox = new Outbox(new MemoryAlertStore());
            PagerDuty pagerDuty = new PagerDuty("oncall", new Receiver.PagerDutyConfig(KEY, null,
                    server.url("/v2/enqueue"), null), null);
            try (Dispatcher dispatcher = new Dispatcher(outbox, Map.of("oncall", pagerDuty), Dispatcher.httpClient(),
                    Clock.systemUTC())) {
                dispatcher.start();
                outbox.enqueue(List.of(trigger("f1", pagerDuty.rateKey())), Instant.now());
                dispatcher.wake();
                List<RecordingServer.Request> requests = server.await(2, 5_000);
                assertThat(requests).hasSize(2);
                assertThat(Duration.ofNanos(requests.get(1).receivedNanos() - requests.get(0).receivedNanos()))
                        .as("Retry-After: 1").isGreaterThanOrEqualTo(Duration.ofMillis(900));
                assertThat(requests.get(0).body()).contains("\"routing_key\":\"" + KEY + "\"");
            }
        }
    }

    @Test
    void aRoutingKeysRateLimitHoldsEventsBackInsteadOfDroppingThem() {
        try (RecordingServer server = new RecordingServer(202)) {
            Outbox outbox = new Outbox(new MemoryAlertStore());
            PagerDuty pagerDuty = new PagerDuty("oncall", new Receiver.PagerDutyConfig(KEY, null,
                    server.url("/v2/enqueue"), 3), null);
            Dispatcher dispatcher = new Dispatcher(outbox, Map.of("oncall", pagerDuty), Dispatcher.httpClient(),
                    Clock.systemUTC());
            for (int i = 0; i < 5; i++) {
                outbox.enqueue(List.of(trigger("f" + i, pagerDuty.rateKey())), Instant.now());
            }
            assertThat(dispatcher.deliverDue()).isEqualTo(3);
            assertThat(server.requests()).hasSize(3);
            assertThat(outbox.status(Map.of("oncall", "pagerduty"))).singleElement()
                    .satisfies(s -> assertThat(s.pending()).isEqualTo(2));
            assertThat(outbox.nextDue()).isAfter(Instant.now().plusSeconds(50));
        }
    }

    @Test
    void aReceiverThatDoesNotAnswerIsRetriedNotDropped() {
        Outbox outbox = new Outbox(new MemoryAlertStore());
        Webhook webhook = new Webhook("chatops", new Receiver.WebhookConfig(URI.create("http://127.0.0.1:9/hook"), null,
                null), null);
        Dispatcher dispatcher = new Dispatcher(outbox, Map.of("chatops", webhook), Dispatcher.httpClient(),
                Clock.systemUTC());
        outbox.enqueue(List.of(Delivery.planned("webhook/chatops/g/1", "chatops", "webhook", "notify",
                "webhook/chatops/g", true, null, List.of("f"), Documents.json().createObjectNode(), Instant.now())),
                Instant.now());
        dispatcher.deliverDue();
        assertThat(outbox.deliveries()).singleElement().satisfies(d -> {
            assertThat(d.status()).isEqualTo(Delivery.Status.PENDING);
            assertThat(d.attempts()).isEqualTo(1);
            assertThat(d.lastError()).startsWith("no answer (ConnectException");
        });
    }

    @Test
    void aLeaderSteppingDownRecordsTheAnswersToWhatItAlreadySent() throws Exception {
        try (RecordingServer server = new RecordingServer(202)) {
            server.judge(request -> {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            });
            Outbox outbox = new Outbox(new MemoryAlertStore());
            PagerDuty pagerDuty = new PagerDuty("oncall", new Receiver.PagerDutyConfig(KEY, null,
                    server.url("/v2/enqueue"), null), null);
            Dispatcher dispatcher = new Dispatcher(outbox, Map.of("oncall", pagerDuty), Dispatcher.httpClient(),
                    Clock.systemUTC());
            dispatcher.start();
            outbox.enqueue(List.of(trigger("f1", pagerDuty.rateKey())), Instant.now());
            dispatcher.wake();
            server.await(1, 5_000);
            dispatcher.close();
            assertThat(outbox.deliveries()).singleElement()
                    .satisfies(d -> assertThat(d.status()).isEqualTo(Delivery.Status.SENT));
        }
    }
}
