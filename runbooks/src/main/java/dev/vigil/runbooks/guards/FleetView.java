package dev.vigil.runbooks.guards;

import dev.vigil.api.runbooks.RunRecord;

import java.util.List;
import java.util.Set;

/**
 * What the guards need to know of the fleet, as the controller passes it.
 *
 * @param nodes       the names of every node the controller knows
 * @param runs        the stored runs: every one not ended, and the ended ones of the repeat window
 * @param cordonings  the cordons of the reflex and of runbooks, at least those of the breaker's window
 * @param halted      the breaker is open (it stays open until an operator resumes automation)
 */
public record FleetView(Set<String> nodes, List<RunRecord> runs, List<Cordoning> cordonings, boolean halted) {
    public FleetView {
        nodes = Set.copyOf(nodes);
        runs = List.copyOf(runs);
        cordonings = List.copyOf(cordonings);
    }
}
