package dev.vigil.agent.mig;

import dev.vigil.agent.sampling.EventLog;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;
import dev.vigil.api.mig.GpuMigTarget;
import dev.vigil.api.mig.MigPhase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.time.Clock;
import java.util.List;

/**
 * Where a MIG target's phase changes are told: one {@code mig_phase} log line each, and an event in
 * the agent's event log ({@code mig gpu 6: applying -> success (MIG on: 7×1g.10gb)}), which travels
 * to the controller with the other events. Failed and reset-required are warnings.
 */
final class PhaseChanges {
    private static final Logger LOG = LoggerFactory.getLogger(MigReconciler.class);

    private final String node;
    private final EventLog events;
    private final Clock clock;

    PhaseChanges(String node, EventLog events, Clock clock) {
        this.node = node;
        this.events = events;
        this.clock = clock;
    }

    /**
     * @param from the phase before, or null for a new target
     * @param uuid the GPU's UUID, or null when the node does not have it
     */
    void told(GpuMigTarget target, MigPhase from, MigPhase to, String message, String uuid) {
        boolean bad = to == MigPhase.FAILED || to == MigPhase.RESET_REQUIRED;
        String fromWire = from == null ? "none" : from.wire();
        LoggingEventBuilder log = bad ? LOG.atWarn() : LOG.atInfo();
        log.addKeyValue("node", node).addKeyValue("gpu", target.gpu()).addKeyValue("version", target.version())
                .addKeyValue("config", target.config()).addKeyValue("from", fromWire).addKeyValue("to", to.wire())
                .addKeyValue("message", message).log("mig_phase");
        events.append(List.of(new GpuEvent(0, clock.instant(), target.gpu(), uuid, null, null, GpuEvent.Kind.FAULT,
                null, bad ? Severity.WARNING : Severity.INFO, RepairAction.NONE,
                "mig gpu " + target.gpu() + ": " + fromWire + " -> " + to.wire() + " (" + message + ")")));
    }
}
