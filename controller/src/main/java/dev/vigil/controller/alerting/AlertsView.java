package dev.vigil.controller.alerting;

import dev.vigil.alerts.AlertView;
import dev.vigil.alerts.notify.NotifierStatus;

import java.util.List;

/**
 * What the leader's alert engine has, for members to answer from: every alert (firing first),
 * every silence kept (newest first), and each receiver's notifications.
 *
 * @param alerts    the alerts, with why each is muted and how its notifications went
 * @param silences  the silences
 * @param notifiers each receiver's counts, pending deliveries and last error
 */
public record AlertsView(List<AlertView> alerts, List<SilenceView> silences, List<NotifierStatus> notifiers) {
}
