package dev.vigil.api.gpu;

import dev.vigil.api.binding.InvalidValueException;

import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Linux CPU lists ({@code 0-55,112-167}), the form numactl and sysfs use and the inventory gives a
 * NUMA node's or a GPU's CPUs in: written from NVML's affinity masks, read by the Slurm bridge.
 */
public final class CpuList {
    private static final String ALLOWED = "a CPU list like 0-55,112-167";
    /** Up to 9 digits, so that a CPU number always fits an int. */
    private static final Pattern CPU = Pattern.compile("\\d{1,9}");

    private CpuList() {
    }

    /** {@code words[i]} holds CPUs {@code 64i .. 64i+63}, lowest bit first, as nvmlDeviceGetCpuAffinity fills it. */
    public static String format(long[] words) {
        StringBuilder out = new StringBuilder();
        int cpus = words.length * Long.SIZE;
        int cpu = 0;
        while (cpu < cpus) {
            if (!isSet(words, cpu)) {
                cpu++;
                continue;
            }
            int first = cpu;
            while (cpu + 1 < cpus && isSet(words, cpu + 1)) {
                cpu++;
            }
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(first);
            if (cpu > first) {
                out.append('-').append(cpu);
            }
            cpu++;
        }
        return out.toString();
    }

    /**
     * The CPUs a list names, in order; empty for null or a blank list.
     *
     * @throws InvalidValueException naming {@code field}, the list and what is allowed
     */
    public static TreeSet<Integer> parse(String list, String field) {
        TreeSet<Integer> cpus = new TreeSet<>();
        if (list == null || list.isBlank()) {
            return cpus;
        }
        for (String range : list.split(",")) {
            String[] bounds = range.strip().split("-", -1);
            InvalidValueException.require(bounds.length <= 2 && CPU.matcher(bounds[0]).matches()
                    && (bounds.length == 1 || CPU.matcher(bounds[1]).matches()), field, list, ALLOWED);
            int from = Integer.parseInt(bounds[0]);
            int to = bounds.length == 2 ? Integer.parseInt(bounds[1]) : from;
            InvalidValueException.require(from <= to, field, list, ALLOWED);
            for (int cpu = from; cpu <= to; cpu++) {
                cpus.add(cpu);
            }
        }
        return cpus;
    }

    private static boolean isSet(long[] words, int cpu) {
        return (words[cpu >>> 6] & (1L << (cpu & 63))) != 0;
    }
}
