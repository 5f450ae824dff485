package dev.vigil.controller.slurm;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vigil.slurm.JobState;
import dev.vigil.slurm.SlurmConfig;
import dev.vigil.slurm.SlurmJob;
import dev.vigil.testsupport.Await;
import dev.vigil.testsupport.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The poller's lookups of a job said to have ended: at once, then again while Slurm still has it
 * unfinished (the epilog runs while the job is COMPLETING), until the poll interval is spent; and
 * its listings, spaced by the time the last one took.
 */
class SlurmPollerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private StandInSlurmrestd slurm;
    private SlurmPoller poller;

    @BeforeEach
    void start() throws Exception {
        slurm = new StandInSlurmrestd("n1");
        poller = new SlurmPoller(new SlurmConnection(SlurmConfig.of(slurm.url(), "vigil", "jwt")), Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        poller.close();
        slurm.close();
    }

    /** A first listing, so that lookups have a view to go into. */
    private SlurmPoller.View listed(Duration interval) throws Exception {
        poller.refresh(interval);
        Await.await(WAIT, () -> poller.latest() != null);
        return poller.latest();
    }

    private SlurmJob seen(long id) {
        return poller.latest().jobs().stream().filter(j -> j.id() == id).findFirst().orElse(null);
    }

    @Test
    void aJobSaidToHaveEndedIsLookedUpAloneAndReplacesItsEntryInTheLatestView() throws Exception {
        long id = slurm.foreign("theirs", "n1", "0");
        SlurmPoller.View listing = listed(Duration.ofHours(1));
        assertThat(seen(id).state()).isEqualTo(JobState.RUNNING);
        slurm.end(id, "COMPLETED", "None", 0);

        poller.lookAt(id);

        Await.await(WAIT, () -> seen(id).state() == JobState.COMPLETED);
        assertThat(slurm.listings.get()).as("one job asked for, not the list").isEqualTo(1);
        assertThat(poller.latest().asked()).as("still the listing's: a lookup says nothing of other jobs")
                .isEqualTo(listing.asked());
    }

    @Test
    void whileSlurmStillSaysRunningTheJobIsLookedUpAgainUntilItsEpilogRuns() throws Exception {
        long id = slurm.foreign("theirs", "n1", "0");
        listed(Duration.ofHours(1));

        poller.lookAt(id);
        Await.await(WAIT, () -> slurm.lookups.get() >= 3);
        assertThat(seen(id).state()).isEqualTo(JobState.RUNNING);
        slurm.state(id, "COMPLETING");

        Await.await(WAIT, () -> seen(id).state() == JobState.COMPLETING);
        Await.await(WAIT, () -> poller.looking() == 0);
        long lookups = slurm.lookups.get();
        Thread.sleep(200);
        assertThat(slurm.lookups.get()).as("COMPLETING is what it was looked up for").isEqualTo(lookups);
    }

    @Test
    void theLookupsStopWhenTheirWaitsAddUpToThePollInterval() throws Exception {
        long id = slurm.foreign("theirs", "n1", "0");
        listed(Duration.ofMillis(300));

        poller.lookAt(id);

        // at once, then after 10, 20, 40 and 80 ms (150 in all); 160 more would pass 300
        Await.await(WAIT, () -> poller.looking() == 0);
        assertThat(slurm.lookups.get()).isEqualTo(5);
    }

    @Test
    void aLookupNewerThanAListingInFlightIsNotUndoneByIt() throws Exception {
        long id = slurm.foreign("theirs", "n1", "0");
        SlurmPoller.View first = listed(Duration.ZERO);
        slurm.listingsHeld = new CountDownLatch(1);
        Await.await(WAIT, () -> {   // asked for now (once the first's spacing has passed), delivered later
            poller.refresh(Duration.ZERO);
            return slurm.listings.get() == 2;
        });

        slurm.state(id, "COMPLETING");
        poller.lookAt(id);
        Await.await(WAIT, () -> seen(id).state() == JobState.COMPLETING);
        slurm.listingsHeld.countDown();

        Await.await(WAIT, () -> poller.latest().asked().isAfter(first.asked()));
        assertThat(seen(id).state()).as("the lookup began after the listing was asked for").isEqualTo(JobState.COMPLETING);
    }

    @Test
    void hintsOfARoundOfJobsAreLookedUpTogether() throws Exception {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ids.add(slurm.foreign("theirs", "n1", String.valueOf(i)));
        }
        listed(Duration.ofHours(1));
        ids.forEach(id -> slurm.state(id, "COMPLETING"));
        slurm.lookupsHeld = new CountDownLatch(1);

        ids.forEach(poller::lookAt);

        Await.await(WAIT, () -> slurm.lookupsWaiting.get() >= 2);
        slurm.lookupsHeld.countDown();
        Await.await(WAIT, () -> ids.stream().allMatch(id -> seen(id).state() == JobState.COMPLETING));
    }

    @Test
    void aSlowListingSpacesTheNextToFourTimesItsDurationAfterItBegan() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-07T00:00:00Z"));
        Duration poll = Duration.ofSeconds(2);
        try (SlurmPoller timed = new SlurmPoller(new SlurmConnection(SlurmConfig.of(slurm.url(), "vigil", "jwt")),
                clock)) {
            slurm.listingsHeld = new CountDownLatch(1);
            timed.refresh(poll);
            Await.await(WAIT, () -> slurm.listings.get() == 1);
            clock.advance(Duration.ofSeconds(3));   // slurmrestd takes 3 s to list
            slurm.listingsHeld.countDown();
            Await.await(WAIT, () -> timed.latest() != null);

            clock.advance(Duration.ofMillis(8_900));   // 11.9 s after it began: the poll interval is long past
            long until = System.nanoTime() + Duration.ofMillis(300).toNanos();
            while (System.nanoTime() < until) {
                timed.refresh(poll);
                Thread.sleep(20);
            }
            assertThat(slurm.listings.get()).as("no listing before 4 x 3 s").isEqualTo(1);

            clock.advance(Duration.ofMillis(100));
            Await.await(WAIT, () -> {
                timed.refresh(poll);
                return slurm.listings.get() == 2;
            });
        }
    }

    @Test
    void theSpacingIsLoggedWhenItPassesThePollAndWhenListingsTakeUnderHalfOfThatAgain() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-07T00:00:00Z"));
        Duration poll = Duration.ofSeconds(2);
        Logger logger = (Logger) LoggerFactory.getLogger(SlurmPoller.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try (SlurmPoller timed = new SlurmPoller(new SlurmConnection(SlurmConfig.of(slurm.url(), "vigil", "jwt")),
                clock)) {
            // 3 s: spaced to 12 s; 0.4 s (under a quarter of the poll, not under an eighth) and 0.6 s: still
            // spaced, not said again; 0.1 s: back at the poll
            for (Duration took : List.of(Duration.ofSeconds(3), Duration.ofMillis(400), Duration.ofMillis(600),
                    Duration.ofMillis(100))) {
                long listed = slurm.listings.get();
                Instant asked = clock.instant();
                slurm.listingsHeld = new CountDownLatch(1);
                Await.await(WAIT, () -> {
                    timed.refresh(poll);
                    return slurm.listings.get() == listed + 1;
                });
                clock.advance(took);
                slurm.listingsHeld.countDown();
                Await.await(WAIT, () -> timed.latest() != null && timed.latest().asked().equals(asked));
                clock.advance(Duration.ofSeconds(12));
            }
        } finally {
            logger.detachAppender(lines);
        }
        assertThat(lines.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(message -> message.startsWith("slurm_listings")))
                .containsExactly("slurm_listings_spaced", "slurm_listings_at_poll");
    }

    @Test
    void beforeTheFirstListingAHintIsDropped() throws Exception {
        long id = slurm.foreign("theirs", "n1", "0");

        poller.lookAt(id);

        Await.await(WAIT, () -> poller.looking() == 0);
        assertThat(slurm.lookups.get()).isZero();
        assertThat(poller.latest()).isNull();
    }
}
