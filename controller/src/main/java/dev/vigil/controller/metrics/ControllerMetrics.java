package dev.vigil.controller.metrics;

import dev.vigil.alerts.AlertStats;
import dev.vigil.controller.runbooks.RunbookControl;
import dev.vigil.controller.state.NodeFacts;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthState;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The controller's /metrics: nodes by state, GPUs by health, how long agent reports take, the
 * member's view of the cluster (leader, quorum, members up, leader changes and epoch), the scheduler's and
 * the alert engine's.
 */
public final class ControllerMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram reportDuration = Histogram.builder()
            .name("vigil_controller_report_duration_seconds")
            .help("Time from an agent report's arrival to its answer, the leader's work included.")
            .classicOnly().classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
            .register(registry);
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /**
     * @param nodes       the nodes' facts now (empty while the cluster state is not open): their
     *                    state and health, without parsing thousands of full records per scrape
     * @param leading     whether this member leads
     * @param quorum      whether this member sees a quorum
     * @param membersUp   how many configured members this member sees
     * @param leaderTimes how many times this member became leader since it started
     * @param leaderEpoch the cluster's leader epoch in this member's copy of the state, empty while it is not open
     * @param scheduling  the scheduler loop's metrics (it reports jobs only while this member leads)
     * @param alerts      the alert engine's counts, null where it does not run (not the leader)
     * @param events      the events this member's loop applied, by kind (it applies them while it leads)
     * @param reports     the agent reports this member took, by who answered them (member, leader)
     * @param runbooks    the runbooks' counts, null before the cluster state is open
     */
    public ControllerMetrics(Supplier<Collection<NodeFacts>> nodes, BooleanSupplier leading, BooleanSupplier quorum,
                             IntSupplier membersUp, LongSupplier leaderTimes, Supplier<OptionalLong> leaderEpoch,
                             SchedulerMetrics scheduling, Supplier<AlertStats> alerts,
                             Supplier<Map<String, Long>> events, Supplier<Map<String, Long>> reports,
                             Supplier<RunbookControl.Stats> runbooks) {
        scheduling.register(registry, leading);
        AlertMetrics.register(registry, alerts);
        RunbookMetrics.register(registry, runbooks, leading::getAsBoolean);
        GaugeWithCallback.builder().name("vigil_controller_nodes").help("Nodes by lifecycle state.")
                .labelNames("state").callback(callback -> {
                    Map<NodeState, Integer> counts = new EnumMap<>(NodeState.class);
                    for (NodeState state : NodeState.values()) {
                        counts.put(state, 0);
                    }
                    nodes.get().forEach(node -> counts.merge(node.state(), 1, Integer::sum));
                    counts.forEach((state, count) -> callback.call(count, wire(state)));
                }).register(registry);
        GaugeWithCallback.builder().name("vigil_controller_gpus").help("GPUs by health, as their agents last reported.")
                .labelNames("health").callback(callback -> {
                    Map<HealthState, Integer> counts = new EnumMap<>(HealthState.class);
                    for (HealthState state : HealthState.values()) {
                        counts.put(state, 0);
                    }
                    for (NodeFacts node : nodes.get()) {
                        for (GpuHealth health : node.health()) {
                            counts.merge(health.state(), 1, Integer::sum);
                        }
                    }
                    counts.forEach((state, count) -> callback.call(count, wire(state)));
                }).register(registry);
        GaugeWithCallback.builder().name("vigil_controller_leader")
                .help("1 when this member runs the leader's loops.")
                .callback(callback -> callback.call(leading.getAsBoolean() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("vigil_controller_quorum")
                .help("1 when this member sees a majority of the configured members (it accepts writes).")
                .callback(callback -> callback.call(quorum.getAsBoolean() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("vigil_controller_members_up")
                .help("Configured members this member sees up.")
                .callback(callback -> callback.call(membersUp.getAsInt())).register(registry);
        CounterWithCallback.builder().name("vigil_controller_leader_changes")
                .help("Times this member became leader since it started; it restarts at 0 with the member "
                        + "(count failovers with vigil_controller_leader_epoch).")
                .callback(callback -> callback.call(leaderTimes.getAsLong())).register(registry);
        CounterWithCallback.builder().name("vigil_controller_leader_events")
                .help("Events this member's event loop applied since it started, by kind: while it leads, every "
                        + "change to the cluster state is one (reports count only when they change something).")
                .labelNames("kind").callback(callback -> events.get().forEach((kind, count) -> callback.call(count, kind)))
                .register(registry);
        CounterWithCallback.builder().name("vigil_controller_reports")
                .help("Agent reports this member took, by who answered: member (the report changed nothing but the "
                        + "vital signs) or leader (it changed something, and was applied there).")
                .labelNames("answered_by").callback(callback -> reports.get().forEach((by, count) -> callback.call(count,
                        by))).register(registry);
        // No sample while the state is not open: a 0 would read as the epoch going back.
        GaugeWithCallback.builder().name("vigil_controller_leader_epoch")
                .help("The cluster's leader epoch as this member's copy of the state has it: one more each time "
                        + "a member becomes leader, kept across restarts, so its rise counts failovers.")
                .callback(callback -> leaderEpoch.get().ifPresent(callback::call)).register(registry);
    }

    public void reported(long nanos) {
        reportDuration.observe(nanos / 1e9);
    }

    public byte[] render() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape(), EscapingScheme.ALLOW_UTF8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String wire(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
