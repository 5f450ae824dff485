package dev.vigil.controller.state;

import dev.vigil.alerts.lifecycle.Alert;
import dev.vigil.alerts.notify.Delivery;
import dev.vigil.alerts.routing.GroupState;
import dev.vigil.alerts.store.AlertStore;
import dev.vigil.alerts.suppression.Silence;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The alert engine's state in four Ignite caches, as the rest of the cluster state is kept
 * (REPLICATED, FULL_SYNC, JSON values): a write has reached every member when it returns, so the
 * next leader starts from it. The outbox's {@link #addDelivery} is a {@code putIfAbsent}: a new
 * leader that plans a notification its predecessor recorded gets false and sends nothing twice.
 */
public final class IgniteAlertStore implements AlertStore {
    private final IgniteCache<String, String> alerts;
    private final IgniteCache<String, String> groups;
    private final IgniteCache<String, String> silences;
    private final IgniteCache<String, String> deliveries;

    public IgniteAlertStore(Ignite ignite) {
        this.alerts = ignite.getOrCreateCache(Store.<String>cache("vigil_alerts"));
        this.groups = ignite.getOrCreateCache(Store.<String>cache("vigil_alert_groups"));
        this.silences = ignite.getOrCreateCache(Store.<String>cache("vigil_silences"));
        this.deliveries = ignite.getOrCreateCache(Store.<String>cache("vigil_alert_deliveries"));
    }

    @Override
    public Collection<Alert> alerts() {
        return all(alerts, Alert.class);
    }

    @Override
    public void putAlert(Alert alert) {
        alerts.put(alert.fingerprint(), Store.write(alert));
    }

    @Override
    public void removeAlert(String fingerprint) {
        alerts.remove(fingerprint);
    }

    @Override
    public Collection<GroupState> groups() {
        return all(groups, GroupState.class);
    }

    @Override
    public void putGroup(GroupState group) {
        groups.put(group.key(), Store.write(group));
    }

    @Override
    public void removeGroup(String key) {
        groups.remove(key);
    }

    @Override
    public Collection<Silence> silences() {
        return all(silences, Silence.class);
    }

    @Override
    public void putSilence(Silence silence) {
        silences.put(silence.id(), Store.write(silence));
    }

    @Override
    public void removeSilence(String id) {
        silences.remove(id);
    }

    @Override
    public Collection<Delivery> deliveries() {
        return all(deliveries, Delivery.class);
    }

    @Override
    public boolean addDelivery(Delivery delivery) {
        return deliveries.putIfAbsent(delivery.id(), Store.write(delivery));
    }

    @Override
    public void putDelivery(Delivery delivery) {
        deliveries.put(delivery.id(), Store.write(delivery));
    }

    @Override
    public void removeDelivery(String id) {
        deliveries.remove(id);
    }

    private static <T> List<T> all(IgniteCache<String, String> cache, Class<T> type) {
        List<T> values = new ArrayList<>();
        cache.forEach(entry -> values.add(Store.read(entry.getValue(), type)));
        return values;
    }
}
