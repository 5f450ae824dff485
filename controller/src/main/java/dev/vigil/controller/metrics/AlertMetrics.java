package dev.vigil.controller.metrics;

import dev.vigil.alerts.AlertStats;
import dev.vigil.alerts.lifecycle.AlertState;
import dev.vigil.alerts.notify.NotifierStatus;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * The alert engine's metrics, only on the leader where it runs: alerts by state, muted ones,
 * active silences, and each receiver's notifications. The notification counters count since this
 * member became leader (Prometheus reads a failover as a counter reset); pending ones come from
 * the outbox in the store and survive failover.
 */
final class AlertMetrics {
    private AlertMetrics() {
    }

    /** @param stats the engine's counts, or null where no engine runs (not the leader) */
    static void register(PrometheusRegistry registry, Supplier<AlertStats> stats) {
        registry.register(GaugeWithCallback.builder().name("vigil_controller_alerts")
                .help("Alerts by state: pending (waiting out 'for'), firing, resolved (kept 15 minutes). Only the "
                        + "leader reports it.")
                .labelNames("state").callback(callback -> {
                    AlertStats now = stats.get();
                    if (now != null) {
                        for (AlertState state : AlertState.values()) {
                            callback.call(now.alerts().getOrDefault(state, 0), state.name().toLowerCase(Locale.ROOT));
                        }
                    }
                }).build());
        registry.register(GaugeWithCallback.builder().name("vigil_controller_alerts_muted")
                .help("Firing alerts not notified: silenced (an active silence matches) or inhibited (another alert "
                        + "mutes it). Only the leader reports it.")
                .labelNames("reason").callback(callback -> {
                    AlertStats now = stats.get();
                    if (now != null) {
                        callback.call(now.silenced(), "silenced");
                        callback.call(now.inhibited(), "inhibited");
                    }
                }).build());
        registry.register(GaugeWithCallback.builder().name("vigil_controller_silences_active")
                .help("Silences in force now. Only the leader reports it.")
                .callback(callback -> {
                    AlertStats now = stats.get();
                    if (now != null) {
                        callback.call(now.activeSilences());
                    }
                }).build());
        registry.register(CounterWithCallback.builder().name("vigil_controller_notifications")
                .help("Notifications since this member became leader, by receiver and result: sent (taken by the "
                        + "receiver), failed (refused, not retried), retried (an attempt failed, tried again), "
                        + "superseded (replaced before it went out).")
                .labelNames("receiver", "kind", "result").callback(callback -> {
                    AlertStats now = stats.get();
                    if (now != null) {
                        for (NotifierStatus notifier : now.notifiers()) {
                            callback.call(notifier.sent(), notifier.receiver(), notifier.kind(), "sent");
                            callback.call(notifier.failed(), notifier.receiver(), notifier.kind(), "failed");
                            callback.call(notifier.retries(), notifier.receiver(), notifier.kind(), "retried");
                            callback.call(notifier.superseded(), notifier.receiver(), notifier.kind(), "superseded");
                        }
                    }
                }).build());
        registry.register(GaugeWithCallback.builder().name("vigil_controller_notifications_pending")
                .help("Notifications waiting to go out (retries included), by receiver. Only the leader reports it.")
                .labelNames("receiver", "kind").callback(callback -> {
                    AlertStats now = stats.get();
                    if (now != null) {
                        for (NotifierStatus notifier : now.notifiers()) {
                            callback.call(notifier.pending(), notifier.receiver(), notifier.kind());
                        }
                    }
                }).build());
    }
}
