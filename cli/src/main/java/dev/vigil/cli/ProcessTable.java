package dev.vigil.cli;

import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementVerdict;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Processes on GPUs as their agents judged them, one line each: shared by {@code vigil node} and {@code vigil gpus}. */
final class ProcessTable {
    private ProcessTable() {
    }

    /** An empty table of processes, with a NODE column first when {@code withNode}. */
    static Table table(boolean withNode) {
        return withNode ? new Table("NODE", "GPU", "PID", "USER", "COMMAND", "OWNER", "JOB", "VERDICT", "ENFORCEMENT")
                : new Table("GPU", "PID", "USER", "COMMAND", "OWNER", "JOB", "VERDICT", "ENFORCEMENT");
    }

    /** Adds one row per process of {@code node} (null for a table without a NODE column). */
    static void rows(Table table, String node, List<JudgedProcess> processes) {
        for (JudgedProcess process : processes) {
            Object gpu = process.gpuInstance() == null ? process.gpu()
                    : process.gpu() + " (MIG " + process.gpuInstance() + ")";
            List<Object> row = new ArrayList<>(List.of(gpu, process.pid(), process.user(), process.command(),
                    process.owner()));
            row.add(process.job());
            row.add(process.verdict().wire());
            row.add(process.enforcement() == null ? null : process.enforcement().wire());
            if (node != null) {
                row.add(0, node);
            }
            table.row(row.toArray());
        }
    }

    /** "2 allowed, 1 rogue": how many processes a GPU has of each verdict, violations in capitals to stand out. */
    static String counts(List<JudgedProcess> processes) {
        Map<PlacementVerdict, Long> counts = processes.stream().collect(Collectors.groupingBy(JudgedProcess::verdict,
                () -> new EnumMap<>(PlacementVerdict.class), Collectors.counting()));
        return counts.entrySet().stream().map(e -> e.getValue() + " " + (e.getKey().violation()
                ? e.getKey().wire().toUpperCase() : e.getKey().wire())).collect(Collectors.joining(", "));
    }
}
