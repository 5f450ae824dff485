package dev.vigil.controller.leader;

/** The leader's alert engine, as the leader service drives it and members reach it. */
public interface Alerting {
    /** This member leads: load the engine's state from the store and evaluate the fleet. */
    void startLeading();

    /** This member no longer leads: stop evaluating and sending; what is pending stays in the store. */
    void stopLeading();

    /** Creates or expires a silence, or takes alerts from Alertmanager's webhook. */
    Outcome apply(Mutation.AlertMutation mutation);

    /** Every alert, silence and receiver's notifications, as the engine has them now. */
    Outcome view();
}
