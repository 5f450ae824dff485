package dev.vigil.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The CPU each part of a benchmark used, from {@code /proc}: on a saturated machine a path's speed
 * is what its CPU per job allows, so a path is charged what every process spent during it. A
 * process's children that ended are in its count (Slurm's epilogs in slurmd's, sbatch in the
 * benchmark's); what no named process reaped (the kernel, munged, other users) shows only in the
 * machine's total.
 */
final class CpuAccount {
    private static final double TICKS_PER_SECOND = 100;   // USER_HZ, 100 on every Linux port but alpha
    private static final Set<String> SLURM_DAEMONS = Set.of("slurmctld", "slurmrestd", "slurmd");
    private static final String STOLEN = "stolen by the host";

    private final Map<String, List<Long>> pids;

    /** @param pids the benchmark's own processes by the name they are reported under (the controller, the agents) */
    CpuAccount(Map<String, List<Long>> pids) {
        this.pids = pids;
    }

    /** CPU seconds used so far, by part; empty where {@code /proc} cannot be read (not Linux). */
    Map<String, Double> now() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        try {
            // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is within user)
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int field : new int[] {1, 2, 3, 6, 7}) {
                busy += Long.parseLong(cpu[field]);
            }
            seconds.put("machine", busy / TICKS_PER_SECOND);
            // time a VM's CPUs wanted to run and the host ran others: neither used here nor idle
            seconds.put(STOLEN, Long.parseLong(cpu[8]) / TICKS_PER_SECOND);
            Map<String, Double> daemons = new LinkedHashMap<>();
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path proc : (Iterable<Path>) procs::iterator) {
                    String name = proc.getFileName().toString();
                    if (name.chars().allMatch(Character::isDigit)) {
                        String comm = read(proc.resolve("comm")).strip();
                        if (SLURM_DAEMONS.contains(comm)) {
                            daemons.merge(comm, processSeconds(Long.parseLong(name)), Double::sum);
                        }
                    }
                }
            }
            SLURM_DAEMONS.stream().sorted().forEach(daemon -> seconds.put(daemon, daemons.getOrDefault(daemon, 0.0)));
            for (Map.Entry<String, List<Long>> part : pids.entrySet()) {
                double sum = 0;
                double jit = 0;
                for (long pid : part.getValue()) {
                    sum += processSeconds(pid);
                    jit += compilerSeconds(pid);
                }
                seconds.put(part.getKey(), sum);
                seconds.put(part.getKey() + " JIT", jit);
            }
            seconds.put("benchmark", processSeconds(ProcessHandle.current().pid()));
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return seconds;
    }

    /** One line: what each part used between two readings, the machine's total and share first. */
    static String between(Map<String, Double> before, Map<String, Double> after, double wallSeconds, int cpus) {
        if (before.isEmpty() || after.isEmpty()) {
            return "CPU: not measured (no /proc)";
        }
        List<String> parts = new ArrayList<>();
        double machine = after.get("machine") - before.get("machine");
        parts.add(String.format(Locale.ROOT, "machine %.1f s of %.1f (%.0f %%), %s %.1f", machine, wallSeconds * cpus,
                100 * machine / (wallSeconds * cpus), STOLEN, after.get(STOLEN) - before.get(STOLEN)));
        for (String part : after.keySet()) {
            if (!part.equals("machine") && !part.equals(STOLEN) && !part.endsWith(" JIT")) {
                double used = after.get(part) - before.getOrDefault(part, 0.0);
                Double jitAfter = after.get(part + " JIT");
                String jit = jitAfter == null ? ""
                        : String.format(Locale.ROOT, " (JIT %.1f)", jitAfter - before.getOrDefault(part + " JIT", 0.0));
                parts.add(String.format(Locale.ROOT, "%s %.1f%s", part, used, jit));
            }
        }
        return "CPU seconds: " + String.join(", ", parts);
    }

    /** User and system time of a process and of its children that ended and were reaped. */
    private static double processSeconds(long pid) {
        String[] fields = statFields(Path.of("/proc", Long.toString(pid), "stat"));
        if (fields == null) {
            return 0;
        }
        // after the command's closing parenthesis: utime, stime, cutime, cstime are fields 12-15 of what follows
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
                + Long.parseLong(fields[14])) / TICKS_PER_SECOND;
    }

    /** The time of a JVM's compiler threads (C1, C2): the JIT's share of its CPU. */
    private static double compilerSeconds(long pid) throws IOException {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        if (!Files.isDirectory(tasks)) {
            return 0;
        }
        double sum = 0;
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path thread : (Iterable<Path>) threads::iterator) {
                String comm = read(thread.resolve("comm"));
                if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
                    String[] fields = statFields(thread.resolve("stat"));
                    sum += fields == null ? 0 : (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
                }
            }
        }
        return sum;
    }

    private static String[] statFields(Path stat) {
        String line = read(stat);
        int end = line.lastIndexOf(')');
        return end < 0 ? null : line.substring(end + 2).trim().split(" ");
    }

    /** A file's text, or empty when it is gone (the process ended meanwhile). */
    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
