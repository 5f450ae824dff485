package dev.vigil.alerts.notify;

import dev.vigil.api.binding.InvalidValueException;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Existing Alertmanagers that Vigil pushes its alerts to ({@code POST /api/v2/alerts}), as
 * Prometheus does: every firing alert, re-sent every {@code resendInterval} while it fires, and
 * resolved ones for a while after. List every Alertmanager of a cluster; do not load-balance.
 *
 * @param urls           each Alertmanager's base URL, e.g. {@code http://alertmanager-1:9093}
 * @param resendInterval how often firing alerts are pushed again (default 1m)
 */
public record AlertmanagerConfig(List<URI> urls, Duration resendInterval) {
    public AlertmanagerConfig {
        urls = urls == null ? List.of() : List.copyOf(urls);
        for (int i = 0; i < urls.size(); i++) {
            Receiver.requireHttp(urls.get(i), "urls[" + i + "]");
        }
        resendInterval = resendInterval == null ? Duration.ofMinutes(1) : resendInterval;
        InvalidValueException.require(resendInterval.compareTo(Duration.ofSeconds(1)) >= 0
                && resendInterval.compareTo(Duration.ofMinutes(30)) <= 0, "resendInterval", resendInterval,
                "from 1s to 30m (Alertmanager resolves an alert not re-sent in time)");
    }

    public static AlertmanagerConfig none() {
        return new AlertmanagerConfig(List.of(), null);
    }
}
