package dev.vigil.scheduler;

import dev.vigil.api.jobs.WaitReason;
import dev.vigil.scheduler.placement.Capacity;
import dev.vigil.scheduler.placement.NodeMatch;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a form remembers: per model and reservation mode, per epoch or capacity version, and nothing else. */
class FormTest {
    private static Form form() {
        return new Form(Jobs.gang(2, 8).spec(), new NodeMatch(null, false, null));
    }

    @Test
    void aFailureHoldsForItsModelItsReservationModeItsLeafModeAndItsEpochOnly() {
        Form form = form();
        assertThat(form.failed(0, false, false, 0)).isFalse();

        form.fail(1, false, false, 5);
        form.fail(2, true, false, 5);
        form.fail(3, false, true, 5);

        assertThat(form.failed(1, false, false, 5)).isTrue();
        assertThat(form.failed(1, true, false, 5)).isFalse();
        assertThat(form.failed(1, false, true, 5)).isFalse();
        assertThat(form.failed(0, false, false, 5)).isFalse();
        assertThat(form.failed(0, true, false, 5)).isFalse();
        assertThat(form.failed(2, true, false, 5)).isTrue();
        assertThat(form.failed(2, false, false, 5)).isFalse();
        assertThat(form.failed(2, true, true, 5)).isFalse();
        assertThat(form.failed(3, false, true, 5)).isTrue();
        assertThat(form.failed(3, false, false, 5)).isFalse();
        assertThat(form.failed(3, true, true, 5)).isFalse();
        assertThat(form.failed(9, true, false, 5)).isFalse();
        // A new epoch forgets it.
        assertThat(form.failed(1, false, false, 6)).isFalse();
    }

    @Test
    void whetherItFitsIgnoringTheReservationIsRememberedForTheEpochAndLeafModeItWasAskedIn() {
        Form form = form();
        assertThat(form.fitsIgnoringReservation(0, false, 1)).isNull();

        form.fitsIgnoringReservation(1, false, 1, false);
        form.fitsIgnoringReservation(0, false, 1, true);
        form.fitsIgnoringReservation(0, true, 1, false);

        assertThat(form.fitsIgnoringReservation(1, false, 1)).isFalse();
        assertThat(form.fitsIgnoringReservation(0, false, 1)).isTrue();
        assertThat(form.fitsIgnoringReservation(0, true, 1)).isFalse();
        assertThat(form.fitsIgnoringReservation(1, true, 1)).isNull();
        assertThat(form.fitsIgnoringReservation(1, false, 2)).isNull();
        assertThat(form.fitsIgnoringReservation(2, false, 1)).isNull();
    }

    @Test
    void theFewestLeavesHoldUntilTheCapacityVersionChanges() {
        Form form = form();
        assertThat(form.fewestLeaves(0, 3)).isZero();

        form.rememberFewestLeaves(1, 2);

        assertThat(form.fewestLeaves(1, 3)).isEqualTo(2);
        assertThat(form.fewestLeaves(0, 3)).isZero();
        assertThat(form.fewestLeaves(1, 4)).isZero();
    }

    @Test
    void theIdleVerdictHoldsUntilTheCapacityVersionChanges() {
        Form form = form();
        Capacity.Verdict never = new Capacity.Verdict(WaitReason.TOPOLOGY, "too big");
        assertThat(form.idleKnown(0, 3)).isFalse();

        form.idle(1, never);
        form.idle(0, null);

        assertThat(form.idleKnown(0, 3)).isTrue();
        assertThat(form.idleKnown(1, 3)).isTrue();
        assertThat(form.idleKnown(2, 3)).isFalse();
        assertThat(form.idle(1)).isSameAs(never);
        assertThat(form.idle(0)).isNull();
        // A node changed: nothing is known any more.
        assertThat(form.idleKnown(1, 4)).isFalse();
        assertThat(form.idleKnown(0, 4)).isFalse();
    }

    @Test
    void aFormSaysWhatItWaitsFor() {
        assertThat(form().waitingFor).isEqualTo("waiting for 2 nodes × 8 GPUs");
    }
}
