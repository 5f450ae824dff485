package dev.vigil.alerts.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.alerts.lifecycle.Alert;
import dev.vigil.alerts.notify.Delivery;
import dev.vigil.alerts.routing.GroupState;
import dev.vigil.alerts.suppression.Silence;
import dev.vigil.api.binding.Documents;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store for {@code vigil up} and tests: in memory, holding each value as the JSON the
 * controller's Ignite store holds, so what survives a failover here survives it there.
 */
public final class MemoryAlertStore implements AlertStore {
    private static final ObjectMapper JSON = Documents.json().copy()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Map<String, String> alerts = new ConcurrentHashMap<>();
    private final Map<String, String> groups = new ConcurrentHashMap<>();
    private final Map<String, String> silences = new ConcurrentHashMap<>();
    private final Map<String, String> deliveries = new ConcurrentHashMap<>();

    @Override
    public Collection<Alert> alerts() {
        return read(alerts, Alert.class);
    }

    @Override
    public void putAlert(Alert alert) {
        alerts.put(alert.fingerprint(), write(alert));
    }

    @Override
    public void removeAlert(String fingerprint) {
        alerts.remove(fingerprint);
    }

    @Override
    public Collection<GroupState> groups() {
        return read(groups, GroupState.class);
    }

    @Override
    public void putGroup(GroupState group) {
        groups.put(group.key(), write(group));
    }

    @Override
    public void removeGroup(String key) {
        groups.remove(key);
    }

    @Override
    public Collection<Silence> silences() {
        return read(silences, Silence.class);
    }

    @Override
    public void putSilence(Silence silence) {
        silences.put(silence.id(), write(silence));
    }

    @Override
    public void removeSilence(String id) {
        silences.remove(id);
    }

    @Override
    public Collection<Delivery> deliveries() {
        return read(deliveries, Delivery.class);
    }

    @Override
    public boolean addDelivery(Delivery delivery) {
        return deliveries.putIfAbsent(delivery.id(), write(delivery)) == null;
    }

    @Override
    public void putDelivery(Delivery delivery) {
        deliveries.put(delivery.id(), write(delivery));
    }

    @Override
    public void removeDelivery(String id) {
        deliveries.remove(id);
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private static <T> List<T> read(Map<String, String> values, Class<T> type) {
        return values.values().stream().map(json -> {
            try {
                return JSON.readValue(json, type);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot read a stored " + type.getSimpleName() + ": " + json, e);
            }
        }).toList();
    }
}
