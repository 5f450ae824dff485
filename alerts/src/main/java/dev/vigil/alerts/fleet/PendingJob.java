package dev.vigil.alerts.fleet;

import java.time.Instant;

/**
 * A job that waits to start.
 *
 * @param id     the job's id
 * @param name   its name
 * @param tenant who submitted it
 * @param queue  the tenant's queue
 * @param since  since when it waits
 * @param reason why it waits, as the scheduler says
 */
public record PendingJob(String id, String name, String tenant, String queue, Instant since, String reason) {
}
