package dev.vigil.scheduler;

import java.util.List;

/**
 * One scheduling cycle's outcome.
 *
 * @param decisions what the backends must do, in order
 * @param examined  how many queued jobs the cycle looked at
 * @param passed    how many of those it passed by, parked: gangs whose shape was still blocked, as they were
 * @param placed    how many placement decisions it made (a gang or a replica set is one)
 * @param queued    jobs still waiting afterwards
 */
public record Cycle(List<Decision> decisions, int examined, int passed, int placed, int queued) {
}
