package dev.vigil.controller.capacity;

import dev.vigil.api.binding.HumanDurations;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The capacity report as Markdown for people: one table per section, with the numbers the JSON has. */
final class CapacityMarkdown {
    private static final String NONE = "—";

    private CapacityMarkdown() {
    }

    static String render(CapacityReport report) {
        StringBuilder md = new StringBuilder();
        md.append("# GPU capacity report\n\n");
        md.append("Period: ").append(report.from()).append(" to ").append(report.to()).append(" (")
                .append(duration(report.period())).append(").\n\n");

        md.append("## GPU-hours\n\n");
        md.append("Total: ").append(hours(report.gpuHours())).append(" GPU-hours. _").append(report.gpuHoursMethod())
                .append("._\n\n");
        md.append("### By tenant\n\n");
        table(md, List.of("Tenant", "GPU-hours", "Jobs"), report.byTenant(),
                u -> List.of(u.name(), hours(u.gpuHours()), Integer.toString(u.jobs())));
        md.append("### By model\n\n");
        table(md, List.of("Model", "GPU-hours", "Jobs"), report.byModel(),
                u -> List.of(u.name(), hours(u.gpuHours()), Integer.toString(u.jobs())));
        md.append("### By tenant and model\n\n");
        table(md, List.of("Tenant", "Model", "GPU-hours", "Jobs"), report.byTenantAndModel(),
                u -> List.of(u.tenant(), u.model(), hours(u.gpuHours()), Integer.toString(u.jobs())));

        md.append("## Allocated but idle\n\n");
        md.append("Idle: ").append(hours(report.idleGpuHours())).append(" GPU-hours. _").append(report.idleMethod())
                .append("._\n\n");
        table(md, List.of("Job", "Tenant", "Node", "GPU", "Share", "Utilization %", "GPU-hours"), report.idleGpus(),
                g -> List.of(g.job(), g.tenant(), g.node(), Integer.toString(g.gpu()), hours(g.share()),
                        String.format(Locale.ROOT, "%.1f", g.utilization()), hours(g.gpuHours())));

        Queueing q = report.queueing();
        md.append("## Queueing\n\n_").append(q.method()).append("._\n\n");
        table(md, List.of("Jobs started", "p50", "p95", "Max", "Waiting now", "Longest waiting"), List.of(q),
                x -> List.of(Integer.toString(x.started()), duration(x.p50()), duration(x.p95()), duration(x.max()),
                        Integer.toString(x.waitingNow()), duration(x.longestWaiting())));

        md.append("## Jobs ended\n\n");
        table(md, List.of("Succeeded", "Failed", "Cancelled", "Requeued"), List.of(report.ended()),
                e -> List.of(Integer.toString(e.succeeded()), Integer.toString(e.failed()),
                        Integer.toString(e.cancelled()), Integer.toString(e.requeued())));

        Demand d = report.demand();
        md.append("## Demand\n\n_").append(d.method()).append("._\n\n");
        table(md, List.of("", "This period", "Period before"), List.of(
                List.of("Jobs submitted", Integer.toString(d.submitted()), Integer.toString(d.previousSubmitted())),
                List.of("Requested GPU-hours", hours(d.requestedGpuHours()), hours(d.previousRequestedGpuHours()))),
                Function.identity());
        md.append("Growth: ").append(d.growthPercent() == null ? "no data for the period before"
                : String.format(Locale.ROOT, "%+.1f %%", d.growthPercent())).append(".\n\n");

        md.append("## Failed and cordoned GPUs\n\n");
        table(md, List.of("Node", "GPU", "UUID", "Model", "Health", "Reason", "Cordoned", "Since"),
                report.gpusOutOfService(), g -> List.of(g.node(), Integer.toString(g.gpu()), text(g.uuid()),
                        text(g.model()), g.health() == null ? NONE : g.health().name().toLowerCase(Locale.ROOT),
                        text(g.reason()), g.cordoned() ? "yes: " + text(g.cordonReason()) : "no", text(g.since())));

        md.append("## Nodes out of service\n\n");
        table(md, List.of("Node", "State", "GPUs", "Reason", "Since"), report.nodesOutOfService(),
                n -> List.of(n.node(), n.state() == null ? NONE : n.state().name().toLowerCase(Locale.ROOT),
                        Integer.toString(n.gpus()), text(n.reason()), text(n.since())));
        return md.toString();
    }

    private static <T> void table(StringBuilder md, List<String> header, List<T> rows,
                                  Function<T, List<String>> cells) {
        if (rows.isEmpty()) {
            md.append("None.\n\n");
            return;
        }
        row(md, header);
        md.append('|');
        md.append("---|".repeat(header.size()));
        md.append('\n');
        rows.forEach(r -> row(md, cells.apply(r)));
        md.append('\n');
    }

    private static void row(StringBuilder md, List<String> cells) {
        md.append('|');
        cells.forEach(cell -> md.append(' ').append(escape(cell)).append(" |"));
        md.append('\n');
    }

    /** A cell's text on one line, its pipes kept from ending the cell. */
    private static String escape(String cell) {
        return cell.replace("\\", "\\\\").replace("|", "\\|").replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    private static String hours(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** {@code 1h 2m 5s}: whole seconds read better than the JSON's exact {@code 3725000ms}. */
    private static String duration(Duration value) {
        if (value == null) {
            return NONE;
        }
        if (value.toSeconds() == 0) {
            return HumanDurations.format(value);
        }
        StringBuilder text = new StringBuilder();
        long[] amounts = {value.toDays(), value.toHoursPart(), value.toMinutesPart(), value.toSecondsPart()};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < amounts.length; i++) {
            if (amounts[i] != 0) {
                text.append(text.isEmpty() ? "" : " ").append(amounts[i]).append(units[i]);
            }
        }
        return text.toString();
    }

    private static String text(Object value) {
        return value == null ? NONE : value.toString();
    }
}
