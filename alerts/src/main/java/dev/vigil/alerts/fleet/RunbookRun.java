package dev.vigil.alerts.fleet;

import dev.vigil.api.runbooks.RunState;

import java.time.Instant;

/**
 * A runbook run as the alert rules see it: which node it repaired and how it ended.
 *
 * @param id      the run's id ({@code run-12})
 * @param runbook the runbook's name
 * @param node    the node it repairs
 * @param gpu     the GPU's index when it repairs one GPU, or null for the whole node
 * @param state   where the run is
 * @param reason  why it is in that state, in words
 * @param ended   when it ended, or null while it has not
 */
public record RunbookRun(String id, String runbook, String node, Integer gpu, RunState state, String reason,
                         Instant ended) {
}
