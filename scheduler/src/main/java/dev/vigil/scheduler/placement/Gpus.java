package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

/**
 * Which GPUs of one node a request takes. GPUs of one NVLink domain first (they talk over
 * NVLink, not PCIe), then of one NUMA node (their host memory and NICs are local), best-fitting
 * in both, so the leftover GPUs stay together for the next request.
 */
final class Gpus {
    private Gpus() {
    }

    /**
     * @param free      the GPUs to choose from, as a mask
     * @param count     how many to take
     * @param oneDomain whether they must all be in one NVLink domain
     * @return the GPUs as a mask, or 0 when {@code free} cannot give them
     */
    static int pick(Node node, int free, int count, boolean oneDomain) {
        if (Integer.bitCount(free) < count) {
            return 0;
        }
        if (!oneDomain) {
            return numaAligned(node, free, count);
        }
        int best = 0;
        for (int rest = free; rest != 0; ) {
            int domain = node.nvlinkDomain(Integer.numberOfTrailingZeros(rest));
            int members = sameDomain(node, rest, domain);
            rest &= ~members;
            int size = Integer.bitCount(members);
            if (size >= count && (best == 0 || size < Integer.bitCount(best))) {
                best = members;
            }
        }
        return best == 0 ? 0 : numaAligned(node, best, count);
    }

    /** {@code count} GPUs of {@code free}: of the best-fitting NUMA node that holds them all, else the fullest NUMA nodes first. */
    private static int numaAligned(Node node, int free, int count) {
        int best = 0;
        int[] groups = new int[32];
        int groupCount = 0;
        for (int rest = free; rest != 0; ) {
            int numa = node.numa(Integer.numberOfTrailingZeros(rest));
            int members = 0;
            for (int bits = rest; bits != 0; bits &= bits - 1) {
                int gpu = Integer.numberOfTrailingZeros(bits);
                if (node.numa(gpu) == numa) {
                    members |= 1 << gpu;
                }
            }
            rest &= ~members;
            groups[groupCount++] = members;
            int size = Integer.bitCount(members);
            if (size >= count && (best == 0 || size < Integer.bitCount(best))) {
                best = members;
            }
        }
        if (best != 0) {
            return lowest(best, count);
        }
        // Spans NUMA nodes: take the largest groups whole, so the fewest NUMA nodes are crossed.
        int taken = 0;
        while (Integer.bitCount(taken) < count) {
            int largest = 0;
            for (int g = 0; g < groupCount; g++) {
                if ((groups[g] & taken) == 0 && Integer.bitCount(groups[g]) > Integer.bitCount(largest)) {
                    largest = groups[g];
                }
            }
            taken |= lowest(largest, count - Integer.bitCount(taken));
        }
        return taken;
    }

    private static int sameDomain(Node node, int mask, int domain) {
        int members = 0;
        for (int bits = mask; bits != 0; bits &= bits - 1) {
            int gpu = Integer.numberOfTrailingZeros(bits);
            if (node.nvlinkDomain(gpu) == domain) {
                members |= 1 << gpu;
            }
        }
        return members;
    }

    /** The {@code count} lowest-indexed GPUs of {@code mask}. */
    private static int lowest(int mask, int count) {
        int taken = 0;
        for (int bits = mask; bits != 0 && Integer.bitCount(taken) < count; bits &= bits - 1) {
            taken |= Integer.lowestOneBit(bits);
        }
        return taken;
    }
}
