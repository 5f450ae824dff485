package dev.vigil.gpu.nvml;

/** Writes a CPU bit mask as a Linux CPU list ({@code 0-55,112-167}), the form numactl and sysfs use. */
final class CpuList {
    private CpuList() {
    }

    /** {@code words[i]} holds CPUs {@code 64i .. 64i+63}, lowest bit first, as nvmlDeviceGetCpuAffinity fills it. */
    static String format(long[] words) {
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

    private static boolean isSet(long[] words, int cpu) {
        return (words[cpu >>> 6] & (1L << (cpu & 63))) != 0;
    }
}
