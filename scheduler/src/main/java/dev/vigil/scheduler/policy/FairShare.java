package dev.vigil.scheduler.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Each tenant's recent GPU usage, decayed with a half-life like Slurm's PriorityDecayHalfLife,
 * and the classic fair-share factor from it: F = 2^(−U/S), U the tenant's part of all recent
 * usage and S its part of all shares. A tenant that used less than its share scores near 1 and
 * goes first among jobs of equal priority.
 */
public final class FairShare {
    private final double halfLifeSeconds;
    private final Map<String, Double> usage = new HashMap<>();
    private Instant last;

    public FairShare(Duration halfLife) {
        this.halfLifeSeconds = halfLife.toMillis() / 1000.0;
    }

    /**
     * Decays past usage to {@code now} and adds what each tenant held since the last call.
     *
     * @param heldMilli thousandths of a GPU each tenant held over that time
     */
    public void accrue(Instant now, Map<String, Long> heldMilli) {
        if (last == null || !now.isAfter(last)) {
            last = last == null ? now : last;
            return;
        }
        double seconds = Duration.between(last, now).toNanos() / 1e9;
        double decay = Math.pow(2, -seconds / halfLifeSeconds);
        usage.replaceAll((tenant, gpuSeconds) -> gpuSeconds * decay);
        heldMilli.forEach((tenant, milli) -> usage.merge(tenant, milli / 1000.0 * seconds, Double::sum));
        last = now;
    }

    /** The fair-share factor of every tenant in {@code shares}, 1 when nobody has used anything. */
    public Map<String, Double> factors(Map<String, Double> shares) {
        double totalUsage = 0;
        for (String tenant : shares.keySet()) {
            totalUsage += usage.getOrDefault(tenant, 0.0);
        }
        double totalShares = shares.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Double> factors = new HashMap<>();
        for (Map.Entry<String, Double> tenant : shares.entrySet()) {
            double u = totalUsage == 0 ? 0 : usage.getOrDefault(tenant.getKey(), 0.0) / totalUsage;
            double s = tenant.getValue() / totalShares;
            factors.put(tenant.getKey(), Math.pow(2, -u / s));
        }
        return factors;
    }

    /** A tenant's decayed usage in GPU-hours. */
    public double gpuHours(String tenant) {
        return usage.getOrDefault(tenant, 0.0) / 3600;
    }

    /** Decayed usage by tenant in GPU-seconds, to persist across leader changes. */
    public Map<String, Double> snapshot() {
        return Map.copyOf(usage);
    }

    /** Restores usage persisted by {@link #snapshot()} as of {@code asOf}. */
    public void restore(Map<String, Double> gpuSeconds, Instant asOf) {
        usage.clear();
        usage.putAll(gpuSeconds);
        last = asOf;
    }
}
