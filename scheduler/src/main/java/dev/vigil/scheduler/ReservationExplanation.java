package dev.vigil.scheduler;

import java.util.List;

/** The cycle's backfill reservation, when another job holds it: the nodes it may keep this job off. */
final class ReservationExplanation implements Explanation {
    private final Backfill backfill;

    ReservationExplanation(Backfill backfill) {
        this.backfill = backfill;
    }

    @Override
    public void explain(Job job, List<String> details) {
        Backfill.Reservation reservation = backfill.reservation();
        if (reservation != null && reservation.job() != job) {
            details.add("reservation: " + reservation.holder() + " from " + reservation.start());
        }
    }
}
