package dev.vigil.alerts.routing;

import dev.vigil.alerts.lifecycle.Alert;

import java.time.Instant;
import java.util.List;
import java.util.SortedMap;

/**
 * What a group's flush has to tell its receiver.
 *
 * @param groupKey    the group
 * @param receiver    the receiver
 * @param groupLabels the group's labels
 * @param seq         the notification's number within the group
 * @param firing      every firing, unmuted alert of the group (the group as it is)
 * @param newlyFiring those of them the receiver has not been told about
 * @param resolved    alerts the receiver was told were firing and that are over (muted or not:
 *                    a resolution never wakes anyone, and an incident left open is worse)
 * @param repeat      nothing changed, but the repeat interval passed with alerts still firing
 * @param at          when
 */
public record Notification(String groupKey, String receiver, SortedMap<String, String> groupLabels, long seq,
                           List<Alert> firing, List<Alert> newlyFiring, List<Alert> resolved, boolean repeat,
                           Instant at) {
}
