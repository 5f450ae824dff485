package dev.vigil.controller.cluster;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The pause detector on a clock and a check the test drives: no thread, no sleep. */
class PauseDetectorTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private long now = 1_000 * MS;
    private boolean clusterCountsUsIn = true;
    private int checks;
    /** Checks the detector started, run when the test says. */
    private final Queue<Runnable> started = new ArrayDeque<>();
    private final PauseDetector detector = new PauseDetector("c1", () -> now, 500 * MS, 4_000 * MS, () -> {
        checks++;
        return clusterCountsUsIn;
    }, started::add);

    private void tickEvery100msFor(long millis) {
        for (long t = 0; t < millis; t += 100) {
            now += 100 * MS;
            detector.tick();
        }
    }

    private void runStartedChecks() {
        while (!started.isEmpty()) {
            started.poll().run();
        }
    }

    @Test
    void steadyTicksAreNoPauseAndStartNoCheck() {
        tickEvery100msFor(10_000);
        assertThat(detector.staleReason()).isNull();
        assertThat(detector.notActingReason()).isNull();
        assertThat(started).isEmpty();
    }

    @Test
    void aResumedMemberIsStaleBeforeItsTickerRunsAgain() {
        tickEvery100msFor(1_000);
        now += 9_000 * MS; // frozen; a request thread runs before the ticker does
        assertThat(detector.staleReason()).startsWith("this member was paused (9000 ms) and has not yet confirmed");
    }

    @Test
    void afterAPauseTheViewIsStaleUntilACheckBegunAfterItSucceeds() {
        tickEvery100msFor(1_000);
        now += 9_000 * MS;
        detector.tick();
        assertThat(detector.staleReason()).isEqualTo("this member was paused (9000 ms) and has not yet confirmed "
                + "its view of the cluster with the other members: what it holds may be out of date");
        assertThat(detector.notActingReason()).isEqualTo(detector.staleReason());
        assertThat(started).as("the tick started a check").hasSize(1);

        tickEvery100msFor(1_000);
        assertThat(started).as("one check at a time").hasSize(1);
        assertThat(detector.staleReason()).as("nothing confirmed yet").isNotNull();

        runStartedChecks();
        assertThat(checks).isEqualTo(1);
        assertThat(detector.staleReason()).isNull();
    }

    @Test
    void aFailedCheckKeepsTheViewStaleAndTheNextTickTriesAgain() {
        detector.paused(9_000 * MS);
        clusterCountsUsIn = false; // the others dropped this member while it was frozen
        for (int i = 0; i < 5; i++) {
            tickEvery100msFor(100);
            runStartedChecks();
        }
        assertThat(checks).isEqualTo(5);
        assertThat(detector.staleReason()).isNotNull();

        clusterCountsUsIn = true;
        tickEvery100msFor(100);
        runStartedChecks();
        assertThat(detector.staleReason()).isNull();
    }

    @Test
    void aCheckBegunBeforeASecondPauseDoesNotConfirmTheViewAfterIt() {
        detector.paused(9_000 * MS);
        tickEvery100msFor(100);
        Runnable begunBefore = started.poll();
        detector.paused(3_000 * MS);
        begunBefore.run();
        assertThat(detector.staleReason()).contains("(3000 ms)");

        tickEvery100msFor(100);
        runStartedChecks();
        assertThat(detector.staleReason()).isNull();
    }

    @Test
    void aConfirmedMemberServesReadsButActsOnlyOnceThePauseHasSettled() {
        detector.paused(9_000 * MS);
        tickEvery100msFor(100);
        runStartedChecks();
        assertThat(detector.staleReason()).isNull();
        assertThat(detector.notActingReason()).isEqualTo("this member was paused (9000 ms): it does not act for 4 s "
                + "after a pause, until the other members have settled whether it is still one of them");

        tickEvery100msFor(4_000);
        assertThat(detector.notActingReason()).isNull();
    }
}
