package dev.vigil.controller.leader;

import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.cluster.DesiredState;
import dev.vigil.controller.state.NodeFacts;
import dev.vigil.controller.state.NodeVitals;
import dev.vigil.controller.state.Store;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Takes agent reports on whichever member an agent reached. Every report refreshes its node's
 * vital signs (readings, report time) here, without the leader; a report that changes nothing
 * else the leader keeps — most of them — is answered with the desired state the leader last
 * stored. Only a report that brings something (a health change, an event, an inventory, an
 * applied desired state, an agent restart, a node reporting again) goes to the leader as an event.
 */
public final class ReportIntake {
    private final Supplier<Store> store;
    private final LeaderClient leader;
    private final Clock clock;
    private final LongAdder answeredHere = new LongAdder();
    private final LongAdder sentToLeader = new LongAdder();

    public ReportIntake(Supplier<Store> store, LeaderClient leader, Clock clock) {
        this.store = store;
        this.leader = leader;
        this.clock = clock;
    }

    /** The node's desired state, for its agent to apply. */
    public DesiredState take(String node, AgentReport report, Caller caller) {
        Store state = store.get();
        state.put(node, new NodeVitals(clock.instant(), report.gpus(), report.placement()));
        Optional<NodeFacts> facts = state.facts(node);
        if (facts.isPresent() && facts.get().unchangedBy(report)) {
            answeredHere.increment();
            return facts.get().desired();
        }
        sentToLeader.increment();
        return leader.apply(new Mutation.Report(node, report, caller), DesiredState.class);
    }

    /** Reports this member took, by who answered them: {@code member} (changed nothing) or {@code leader}. */
    public Map<String, Long> counts() {
        return Map.of("member", answeredHere.sum(), "leader", sentToLeader.sum());
    }
}
