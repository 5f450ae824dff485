package dev.vigil.scheduler;

import java.util.List;

/**
 * The explain stage: each plugin adds what its stage knows about why a queued job waits to the details
 * {@code vigil why} shows, in the order the plugins are asked.
 */
interface Explanation {
    void explain(Job job, List<String> details);
}
