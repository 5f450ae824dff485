package dev.vigil.agent.placement;

import dev.vigil.api.placement.Enforcement;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementVerdict;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The processes as the agent reports them, kept from one pass to the next: a process judged as it was in the pass
 * before is reported with the same object, as building one checks every field (most of a steady pass's cost).
 * Used by one pass at a time.
 */
final class ReportedProcesses {
    private Map<Placed, Reported> last = Map.of();
    private Map<Placed, Reported> next = new HashMap<>();

    /** The process as reported; see {@link Judgement#judged}. */
    JudgedProcess of(Judgement judgement, Enforcement enforcement, Instant since) {
        Placed at = new Placed(judgement.identity().pid(), judgement.process().gpu(),
                judgement.process().gpuInstanceId());
        Reported before = last.get(at);
        Reported now = before != null && before.same(judgement, enforcement, since) ? before
                : new Reported(judgement.identity(), judgement.verdict(), judgement.job(), enforcement, since,
                judgement.judged(enforcement, since));
        next.put(at, now);
        return now.process();
    }

    /** Ends a pass: a process it did not report is forgotten. */
    void passed() {
        last = next;
        next = new HashMap<>();
    }

    private record Placed(long pid, int gpu, Integer gpuInstance) {
    }

    private record Reported(ProcessIdentity identity, PlacementVerdict verdict, String job, Enforcement enforcement,
                            Instant since, JudgedProcess process) {
        boolean same(Judgement judgement, Enforcement enforcement, Instant since) {
            return identity.equals(judgement.identity()) && verdict == judgement.verdict()
                    && Objects.equals(job, judgement.job()) && this.enforcement == enforcement
                    && Objects.equals(this.since, since);
        }
    }
}
