package dev.vigil.controller.leader;

/**
 * What members call on the leader (an Ignite service proxy routes the call to whichever member
 * runs the leader service). JSON in and out, because Ignite's marshaller cannot carry records.
 */
public interface LeaderApi {
    /** Applies a {@link Mutation}; returns an {@link Outcome} as JSON. */
    String apply(String mutationJson);

    /** Why a job waits, from the leader's scheduler; returns an {@link Outcome} as JSON. */
    String why(String job);

    /** The alerts, silences and notifiers of the leader's alert engine; returns an {@link Outcome} as JSON. */
    String alerts();

    /** The runbooks and whether automation may act, from the leader; returns an {@link Outcome} as JSON. */
    String runbooks();
}
