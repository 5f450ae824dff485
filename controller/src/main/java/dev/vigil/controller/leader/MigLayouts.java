package dev.vigil.controller.leader;

/** The leader's MIG changes, as the leader service drives them and members reach them. */
public interface MigLayouts {
    /** This member leads: take over the changes in flight from the store and advance them. */
    void startLeading();

    /** This member no longer leads: stop advancing; the changes stay stored where they are. */
    void stopLeading();

    /** Puts GPUs of a node or a pool into a named config. */
    Outcome apply(Mutation.MigMutation mutation);
}
