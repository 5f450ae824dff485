package dev.vigil.cli;

import dev.vigil.api.cluster.CordonedGpu;
import dev.vigil.api.cluster.GpuSummary;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.Transition;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthReason;
import dev.vigil.api.mig.GpuMig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code vigil node NAME}: one node in detail. */
@Command(name = "node",
        mixinStandardHelpOptions = true,
        description = {
                "Show one node in detail.",
                "",
                "Its state, the reason, who put it there and since when; its agent and",
                "when it last reported; each GPU with its health, the repair it calls for,",
                "whether it is cordoned and why, and its vital signs; the",
                "processes on its GPUs with their job and its agent's verdict (allowed,",
                "overreach, rogue, system, unjudged) and what the placement policy did; and the",
                "node's latest state transitions.",
                ""},
        footer = {"", "Examples:",
                "  vigil node gpu-017",
                "  vigil node gpu-017 --transitions 50          # more of its history",
                "  vigil node gpu-017 -o json | jq '.health[] | select(.state != \"healthy\")'"})
final class NodeCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The node, as 'vigil nodes' lists it.")
    String name;

    @Option(names = "--transitions", paramLabel = "N", defaultValue = "10",
            description = "How many of the latest state transitions to show (default: ${DEFAULT-VALUE}; the controller "
                    + "keeps 50).")
    int transitions;

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        ControllerClient.Answer answer = client.get("/v1/nodes/" + ControllerClient.segment(name));
        if (json()) {
            out.println(answer.pretty());
            return;
        }
        print(answer.as(NodeRecord.class), Instant.now(), transitions, out);
    }

    static void print(NodeRecord node, Instant now, int transitions, PrintWriter out) {
        out.printf("Node %s: %s%n", node.name(), Table.wire(node.state()));
        field(out, "reason", node.reason());
        field(out, "actor", node.actor());
        field(out, "since", node.since() == null ? null : Table.time(node.since()) + " (" + Table.ago(node.since(), now)
                + ")");
        field(out, "agent", node.agentId() == null ? null : node.agentId() + ", version " + node.agentVersion()
                + ", last report " + Table.reported(node.lastReport(), now));
        field(out, "desired", "version " + node.version() + ", agent applied " + node.appliedVersion()
                + (node.applyError() == null ? "" : ", apply error: " + node.applyError()));
        field(out, "cordoned", Table.yesNo(node.cordoned()) + (node.drain() ? ", draining asked" : ""));
        out.println();
        if (node.inventory() == null) {
            out.println("GPUs: no inventory yet (the agent sends it with its next report)");
        } else {
            out.printf("GPUs: %d, driver %s, backend %s%n", node.inventory().gpus().size(),
                    node.inventory().driverVersion(), node.inventory().backend());
            Table gpus = new Table("GPU", "MODEL", "HEALTH", "ACTION", "CORDONED", "UTIL", "TEMP", "POWER", "WHY");
            for (GpuDevice device : node.inventory().gpus()) {
                GpuHealth health = node.health().stream().filter(h -> h.gpu() == device.index()).findFirst()
                        .orElse(null);
                CordonedGpu cordon = node.cordonedGpus().stream().filter(c -> c.uuid().equals(device.uuid()))
                        .findFirst().orElse(null);
                GpuSummary vitals = node.gpus().stream().filter(g -> g.gpu() == device.index()).findFirst()
                        .orElse(null);
                List<String> why = new ArrayList<>();
                if (health != null) {
                    health.reasons().stream().map(HealthReason::message).forEach(why::add);
                }
                if (cordon != null) {
                    why.add("cordoned by " + cordon.actor() + " " + Table.ago(cordon.since(), now) + ": "
                            + cordon.reason());
                }
                node.mig().stream().filter(m -> m.gpu() == device.index() && m.phase().changing()).findFirst()
                        .ifPresent(m -> why.add("MIG " + m.phase().wire() + " to " + m.config() + ": " + m.message()));
                gpus.row(device.index(), device.model(), health == null ? "healthy" : Table.wire(health.state()),
                        health == null ? "none" : Table.wire(health.action()), Table.yesNo(cordon != null),
                        vitals == null ? null : unit(vitals.utilization(), "%"),
                        vitals == null ? null : unit(vitals.temperature(), "C"),
                        vitals == null ? null : unit(vitals.power(), "W"), String.join("; ", why));
            }
            gpus.print(out);
        }
        if (!node.processes().isEmpty()) {
            out.println();
            out.println("Processes on its GPUs (as its agent last judged them; policy "
                    + node.placement().action().wire() + "):");
            Table processes = ProcessTable.table(false);
            ProcessTable.rows(processes, null, node.processes());
            processes.print(out);
        }
        if (!node.mig().isEmpty()) {
            out.println();
            out.println("MIG layouts (vigil mig show " + node.name() + "):");
            Table mig = new Table("GPU", "CONFIG", "PHASE", "SINCE", "DEADLINE", "MESSAGE");
            for (GpuMig layout : node.mig()) {
                mig.row(layout.gpu(), layout.config(), layout.phase().wire(), Table.ago(layout.since(), now),
                        layout.deadline() == null ? null : Table.time(layout.deadline()), layout.message());
            }
            mig.print(out);
        }
        List<Transition> history = node.history();
        if (!history.isEmpty() && transitions > 0) {
            List<Transition> latest = history.subList(Math.max(0, history.size() - transitions), history.size());
            out.println();
            out.println("Transitions (latest " + latest.size() + " of " + history.size() + ", newest last):");
            Table table = new Table("TIME", "AGE", "FROM", "TO", "ACTOR", "REASON");
            for (Transition transition : latest) {
                table.row(Table.time(transition.time()), Table.ago(transition.time(), now),
                        transition.from() == null ? "new" : Table.wire(transition.from()), Table.wire(transition.to()),
                        transition.actor(), transition.reason());
            }
            table.print(out);
        }
    }

    private static void field(PrintWriter out, String label, String value) {
        out.printf("  %-9s %s%n", label, value == null ? "-" : value);
    }

    private static String unit(Double value, String unit) {
        return value == null ? null : String.format(Locale.ROOT, "%.0f %s", value, unit);
    }
}
