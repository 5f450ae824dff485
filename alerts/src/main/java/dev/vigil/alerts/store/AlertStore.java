package dev.vigil.alerts.store;

import dev.vigil.alerts.lifecycle.Alert;
import dev.vigil.alerts.notify.Delivery;
import dev.vigil.alerts.routing.GroupState;
import dev.vigil.alerts.suppression.Silence;

import java.util.Collection;

/**
 * Where the alert engine keeps its state so that a new leader goes on where the old one stopped:
 * alerts, aggregation groups (what each receiver was told), silences, and the outbox of
 * notifications. Only the leader writes. The values are records that {@code Documents.json()}
 * writes and reads back (the controller keeps them as JSON in Ignite caches, like its other state).
 *
 * <p>A write must be durable and visible to the next leader when the call returns (Ignite:
 * FULL_SYNC on a replicated cache). Reads happen once, when an engine starts.
 */
public interface AlertStore {

    Collection<Alert> alerts();

    void putAlert(Alert alert);

    void removeAlert(String fingerprint);

    Collection<GroupState> groups();

    void putGroup(GroupState group);

    void removeGroup(String key);

    Collection<Silence> silences();

    void putSilence(Silence silence);

    void removeSilence(String id);

    Collection<Delivery> deliveries();

    /**
     * Records a new delivery unless one with its id exists (Ignite: {@code putIfAbsent}). A leader
     * that re-plans a notification its predecessor planned gets the same id, and false here.
     *
     * @return whether it was added
     */
    boolean addDelivery(Delivery delivery);

    /** Records a delivery's progress (attempts, outcome). */
    void putDelivery(Delivery delivery);

    void removeDelivery(String id);
}
