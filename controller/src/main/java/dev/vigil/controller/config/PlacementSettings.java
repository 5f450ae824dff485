package dev.vigil.controller.config;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.placement.PlacementAction;
import dev.vigil.api.placement.PlacementPolicy;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code placement:} section of the controller's config: what node agents do about processes on GPUs their
 * jobs were not given, fleet-wide and per node pool.
 *
 * @param action    for nodes in no listed pool: {@code report} (the default: nothing is stopped), {@code kill} or
 *                  {@code cordon-gpu}
 * @param killGrace for {@code kill}: how long after SIGTERM before SIGKILL
 * @param pools     a policy per node pool ({@code scheduler.pools}'s names)
 */
public record PlacementSettings(PlacementAction action, Duration killGrace, Map<String, PlacementPolicy> pools) {
    public PlacementSettings {
        action = action == null ? PlacementAction.REPORT : action;
        killGrace = killGrace == null ? PlacementPolicy.DEFAULT_KILL_GRACE : killGrace;
        pools = pools == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(pools));
        pools.forEach((pool, policy) -> InvalidValueException.required(policy, "pools." + pool,
                "a policy, e.g. {action: kill, killGrace: 10s}"));
        new PlacementPolicy(action, killGrace);
    }

    public static PlacementSettings defaults() {
        return new PlacementSettings(null, null, null);
    }

    /** The policy of a node in {@code pool} (null: in none). */
    public PlacementPolicy policy(String pool) {
        PlacementPolicy own = pool == null ? null : pools.get(pool);
        return own != null ? own : new PlacementPolicy(action, killGrace);
    }

    /** Refuses a policy for a pool the scheduler does not know: its nodes would silently get the default. */
    void checkPools(Set<String> known) {
        pools.keySet().forEach(pool -> InvalidValueException.require(known.contains(pool), "placement.pools." + pool,
                pool, "one of scheduler.pools: " + known));
    }
}
