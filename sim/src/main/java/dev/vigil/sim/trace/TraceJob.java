package dev.vigil.sim.trace;

import dev.vigil.api.jobs.JobSpec;

/**
 * One job of a trace: when it arrives and what it asks. How long it really runs is
 * {@link JobSpec#duration()}; what it tells the scheduler is {@link JobSpec#runtimeLimit()}.
 *
 * @param id           unique within the trace
 * @param submitMillis when it arrives, in milliseconds from the start of the trace
 * @param spec         what it asks for
 * @param line         the line of the trace it came from (0 for generated jobs)
 */
public record TraceJob(String id, long submitMillis, JobSpec spec, int line) {
}
