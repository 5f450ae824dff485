package dev.vigil.gpu.simulated;

/**
 * Deterministic noise: the same seed, key and step always give the same number, whatever order
 * or cadence values are read in. That is what makes a simulated fleet repeatable for a seed.
 */
final class Noise {
    private Noise() {
    }

    /** A value in [-1, 1). */
    static double signed(long seed, long key, long step) {
        return unit(seed, key, step) * 2 - 1;
    }

    /** A value in [0, 1). */
    static double unit(long seed, long key, long step) {
        long z = mix(seed ^ mix(key * 0x9E3779B97F4A7C15L + step));
        return (z >>> 11) * 0x1.0p-53;
    }

    /** SplitMix64's finalizer: a cheap, well-spread 64-bit hash. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A stable key for a string (node names), independent of String.hashCode's collisions. */
    static long key(String text) {
        long h = 0x84222325CBF29CE4L;
        for (int i = 0; i < text.length(); i++) {
            h = mix(h ^ text.charAt(i));
        }
        return h;
    }
}
