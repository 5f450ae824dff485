package dev.vigil.scheduler.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GPUs each tenant holds against its quota, in thousandths of a GPU (a MIG slice is a fraction).
 * Admission follows Kueue: a tenant runs up to its nominal quota, and beyond it borrows what its
 * cohort leaves unused, up to its borrowing limit.
 */
public final class Quotas {
    private final Map<String, List<Tenant>> cohorts = new HashMap<>();
    private final Map<String, Map<String, Long>> used = new HashMap<>();

    public Quotas(SchedulerPolicy policy) {
        for (Tenant tenant : policy.tenants()) {
            if (tenant.cohort() != null) {
                cohorts.computeIfAbsent(tenant.cohort(), c -> new ArrayList<>()).add(tenant);
            }
        }
    }

    /**
     * Whether {@code tenant} may take {@code milli} more of {@code model}.
     *
     * @return null when it may, else why not, with the numbers
     */
    public String check(Tenant tenant, String model, long milli) {
        if (!tenant.limited()) {
            return null;
        }
        String key = tenant.quotaKey(model);
        if (key == null) {
            return "tenant " + tenant.name() + " has no quota for " + model + " (its quota covers "
                    + String.join(", ", tenant.quota().keySet()) + ")";
        }
        long holds = used(tenant.name(), key);
        long nominal = tenant.quota().get(key) * 1000L;
        if (holds + milli <= nominal) {
            return null;
        }
        String uses = "tenant " + tenant.name() + " holds " + gpus(holds) + " of its " + gpus(nominal) + " "
                + label(key) + " GPUs and the job needs " + gpus(milli);
        if (tenant.cohort() == null) {
            return uses + " (no cohort to borrow from)";
        }
        Integer limit = tenant.borrowingLimit().get(key);
        long borrowing = holds + milli - nominal;
        if (limit != null && borrowing > limit * 1000L) {
            return uses + "; it may borrow at most " + limit + " from cohort " + tenant.cohort();
        }
        long cohortNominal = 0;
        long cohortUsed = 0;
        for (Tenant member : cohorts.get(tenant.cohort())) {
            Integer nominalHere = member.quota().get(key);
            cohortNominal += nominalHere == null ? 0 : nominalHere * 1000L;
            cohortUsed += used(member.name(), key);
        }
        if (cohortUsed + milli > cohortNominal) {
            return uses + "; cohort " + tenant.cohort() + " has " + gpus(Math.max(0, cohortNominal - cohortUsed))
                    + " of its " + gpus(cohortNominal) + " unused";
        }
        return null;
    }

    /** Whether {@code milli} more of {@code model} stays within the tenant's own nominal quota (no borrowing). */
    public boolean withinNominal(Tenant tenant, String model, long milli) {
        String key = tenant.quotaKey(model);
        return tenant.limited() && key != null && used(tenant.name(), key) + milli <= tenant.quota().get(key) * 1000L;
    }

    /** How much of {@code model} the tenant holds beyond its nominal quota (borrowed from its cohort), 0 when none. */
    public long borrowed(Tenant tenant, String model) {
        String key = tenant.quotaKey(model);
        return !tenant.limited() || key == null ? 0 : Math.max(0, used(tenant.name(), key) - tenant.quota().get(key) * 1000L);
    }

    /** Whether another tenant of {@code tenant}'s cohort holds more than its nominal quota of anything now. */
    public boolean othersBorrow(Tenant tenant) {
        for (Tenant member : cohorts.getOrDefault(tenant.cohort(), List.of())) {
            if (member != tenant) {
                for (Map.Entry<String, Integer> quota : member.quota().entrySet()) {
                    if (used(member.name(), quota.getKey()) > quota.getValue() * 1000L) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Counts {@code milli} of {@code model} against the tenant (negative: gives it back). */
    public void charge(Tenant tenant, String model, long milli) {
        if (!tenant.limited()) {
            return;
        }
        String key = tenant.quotaKey(model);
        if (key != null) {
            used.computeIfAbsent(tenant.name(), t -> new HashMap<>()).merge(key, milli, Long::sum);
        }
    }

    /** What the tenant holds under a quota key, in thousandths of a GPU. */
    public long used(String tenant, String key) {
        Map<String, Long> byKey = used.get(tenant);
        return byKey == null ? 0 : byKey.getOrDefault(key, 0L);
    }

    /** Thousandths of a GPU as people read them: 8, 0.14. */
    public static String gpus(long milli) {
        return milli % 1000 == 0 ? Long.toString(milli / 1000) : String.format("%.2f", milli / 1000.0);
    }

    private static String label(String key) {
        return key.equals(Tenant.ANY_MODEL) ? "(any model)" : key;
    }
}
