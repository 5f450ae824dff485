package dev.vigil.controller.leader;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The leader's one writer: events run one at a time, in the order they came, on one thread. */
class EventLoopTest {
    private final List<String> told = Collections.synchronizedList(new ArrayList<>());
    private final EventLoop loop = new EventLoop("t", told::add);

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void eventsFromManyThreadsRunOneAtATimeInTheOrderEachThreadSentThem() throws Exception {
        List<String> applied = new ArrayList<>(); // not thread-safe on purpose: one writer needs no lock
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            String sender = "s" + t;
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    int n = i;
                    Runnable event = () -> {
                        if (running.incrementAndGet() > 1) {
                            overlaps.incrementAndGet();
                        }
                        applied.add(sender + ":" + n);
                        running.decrementAndGet();
                    };
                    if (n % 2 == 0) {
                        loop.post("post", event);
                    } else {
                        loop.call("call", () -> {
                            event.run();
                            return null;
                        }, Duration.ofSeconds(10), why -> null);
                    }
                }
            });
            thread.start();
            senders.add(thread);
        }
        for (Thread thread : senders) {
            thread.join();
        }
        loop.call("last", () -> null, Duration.ofSeconds(10), why -> null);

        assertThat(overlaps).hasValue(0);
        assertThat(applied).hasSize(800);
        for (int t = 0; t < 4; t++) {
            String sender = "s" + t;
            List<Integer> order = applied.stream().filter(e -> e.startsWith(sender + ":"))
                    .map(e -> Integer.parseInt(e.substring(e.indexOf(':') + 1))).toList();
            assertThat(order).isSorted().hasSize(200);
        }
        assertThat(loop.applied()).containsEntry("post", 400L).containsEntry("call", 400L).containsEntry("last", 1L);
    }

    @Test
    void anEventThatAppliesAnotherRunsItAtOnceRatherThanWaitingForItself() {
        String answer = loop.call("outer", () -> loop.call("inner", () -> "inner ran", Duration.ofSeconds(1),
                why -> "waited: " + why), Duration.ofSeconds(5), why -> "outer gave up: " + why);

        assertThat(answer).isEqualTo("inner ran");
        assertThat(told).containsExactly("inner", "outer");
    }

    @Test
    void writesOffTheLoopAreRefusedAndOnItAllowed() {
        assertThatThrownBy(loop::requireLoop).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("off the leader's event loop").hasMessageContaining(Thread.currentThread().getName());

        assertThat(loop.call("write", () -> {
            loop.requireLoop();
            return loop.onLoop();
        }, Duration.ofSeconds(5), why -> false)).isTrue();
    }

    @Test
    void aFailingEventIsLoggedAndTheLoopGoesOn() throws Exception {
        CountDownLatch ticks = new CountDownLatch(3);
        AtomicInteger failures = new AtomicInteger();
        loop.every("tick", Duration.ofMillis(10), () -> {
            ticks.countDown();
            if (failures.incrementAndGet() <= 2) {
                throw new IllegalStateException("planted");
            }
        });
        loop.post("fails", () -> {
            throw new IllegalStateException("planted");
        });

        assertThat(ticks.await(10, TimeUnit.SECONDS)).as("the periodic event ran again after throwing").isTrue();
        assertThat(loop.call("after", () -> "still running", Duration.ofSeconds(5), why -> why))
                .isEqualTo("still running");
        assertThatThrownBy(() -> loop.call("throws", () -> {
            throw new IllegalArgumentException("told to the caller");
        }, Duration.ofSeconds(5), why -> null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("told to the caller");
    }

    @Test
    void aCallThatWaitsTooLongIsAnsweredUnavailableAndStillAppliedInItsTurn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        loop.post("slow", () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        AtomicInteger applied = new AtomicInteger();

        String answer = loop.call("late", () -> {
            applied.incrementAndGet();
            return "applied";
        }, Duration.ofMillis(100), why -> "unavailable: " + why);
        release.countDown();
        loop.call("barrier", () -> null, Duration.ofSeconds(5), why -> null);

        assertThat(answer).startsWith("unavailable: the leader did not apply it within");
        assertThat(applied).hasValue(1);
        assertThat(loop.applied()).containsKeys("slow", "late", "barrier");
    }

    @Test
    void aClosedLoopAnswersUnavailable() {
        loop.close();

        assertThat(loop.call("after-close", () -> "ran", Duration.ofSeconds(1), why -> "unavailable: " + why))
                .isEqualTo("unavailable: member t is closing");
        Map<String, Long> counts = loop.applied();
        assertThat(counts).doesNotContainKey("after-close");
    }
}
