package dev.vigil.api.placement;

import dev.vigil.api.binding.InvalidValueException;

import java.time.Duration;

/**
 * What a node's agent does about placement violations, in its desired state (from its pool's policy).
 *
 * @param action    report, kill or cordon-gpu
 * @param killGrace for {@code kill}: how long after SIGTERM a process gets before SIGKILL
 */
public record PlacementPolicy(PlacementAction action, Duration killGrace) {
    public static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(10);
    public static final PlacementPolicy REPORT = new PlacementPolicy(PlacementAction.REPORT, DEFAULT_KILL_GRACE);

    public PlacementPolicy {
        action = action == null ? PlacementAction.REPORT : action;
        killGrace = killGrace == null ? DEFAULT_KILL_GRACE : killGrace;
        InvalidValueException.require(!killGrace.isNegative() && killGrace.compareTo(Duration.ofMinutes(10)) <= 0,
                "killGrace", killGrace, "from 0s to 10m");
    }
}
