package dev.vigil.slurm.conf;

import dev.vigil.api.binding.InvalidValueException;

import java.util.TreeSet;

/** Linux CPU lists ({@code 0-55,112-167}), as the inventory writes a NUMA node's or a GPU's CPUs. */
final class CpuList {
    private CpuList() {
    }

    static TreeSet<Integer> parse(String list, String field) {
        TreeSet<Integer> cpus = new TreeSet<>();
        if (list == null || list.isBlank()) {
            return cpus;
        }
        for (String range : list.split(",")) {
            String[] bounds = range.strip().split("-");
            InvalidValueException.require(bounds.length <= 2 && bounds[0].matches("\\d+")
                    && (bounds.length == 1 || bounds[1].matches("\\d+")), field, list, "a CPU list like 0-55,112-167");
            int from = Integer.parseInt(bounds[0]);
            int to = bounds.length == 2 ? Integer.parseInt(bounds[1]) : from;
            InvalidValueException.require(from <= to, field, list, "a CPU list like 0-55,112-167");
            for (int cpu = from; cpu <= to; cpu++) {
                cpus.add(cpu);
            }
        }
        return cpus;
    }
}
