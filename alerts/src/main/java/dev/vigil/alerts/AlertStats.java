package dev.vigil.alerts;

import dev.vigil.alerts.lifecycle.AlertState;
import dev.vigil.alerts.notify.NotifierStatus;

import java.util.List;
import java.util.Map;

/**
 * What the controller exports as metrics (docs/alerting.md lists the names): alerts by state, how
 * many are muted, active silences, and each receiver's notifications.
 *
 * @param alerts         alerts by state (every state present, zero when none)
 * @param silenced       firing alerts an active silence mutes
 * @param inhibited      firing alerts another alert inhibits
 * @param activeSilences silences in force now
 * @param notifiers      each receiver's notification counts and errors
 */
public record AlertStats(Map<AlertState, Integer> alerts, int silenced, int inhibited, int activeSilences,
                         List<NotifierStatus> notifiers) {
}
