package dev.vigil.scheduler.policy;

import dev.vigil.api.binding.InvalidValueException;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How the scheduler orders and admits work. Every field has a default that is safe on a
 * production fleet: no quota limits until tenants are configured, nothing preemptible unless its
 * submitter says so, and a backfill that never delays the job at the head of the queue.
 *
 * @param maxJobsPerCycle      how many queued jobs one scheduling cycle examines, like Slurm's bf_max_job_test
 * @param backfill             whether jobs behind a blocked gang may start when they end before its reservation
 * @param preemption           whether higher-priority jobs may evict preemptible lower-priority ones
 * @param fairShareHalfLife    how fast past usage is forgotten, like Slurm's PriorityDecayHalfLife
 * @param defaultPriorityClass the class of jobs that name none
 * @param priorityClasses      the classes jobs may name
 * @param tenants              tenants with quotas and shares; empty: any tenant name, no limits, equal shares
 * @param localityWait         how long a gang that fits under one leaf switch, and could start now on more, waits
 *                             for one before it takes more, like Slurm's {@code --switches=1@max-time} (0s: it
 *                             never waits; a required topology waits for its leaf limit however long)
 */
public record SchedulerPolicy(Integer maxJobsPerCycle, Boolean backfill, Boolean preemption,
                              Duration fairShareHalfLife, String defaultPriorityClass,
                              List<PriorityClass> priorityClasses, List<Tenant> tenants, Duration localityWait) {
    /**
     * The default locality wait. On a 4-leaf cluster at 77 % GPU allocation (README, Performance) it
     * puts 96-97 % of the gangs that fit under one leaf under one, for 2 % more average JCT; 15
     * minutes gave 93 %.
     */
    public static final Duration DEFAULT_LOCALITY_WAIT = Duration.ofMinutes(30);

    public SchedulerPolicy {
        maxJobsPerCycle = maxJobsPerCycle == null ? 2_000 : maxJobsPerCycle;
        InvalidValueException.require(maxJobsPerCycle >= 1 && maxJobsPerCycle <= 1_000_000, "maxJobsPerCycle",
                maxJobsPerCycle, "1 to 1000000");
        backfill = backfill == null || backfill;
        preemption = preemption == null || preemption;
        fairShareHalfLife = fairShareHalfLife == null ? Duration.ofDays(7) : fairShareHalfLife;
        InvalidValueException.require(!fairShareHalfLife.isNegative() && !fairShareHalfLife.isZero(),
                "fairShareHalfLife", fairShareHalfLife, "a positive duration, e.g. 7d");
        priorityClasses = priorityClasses == null || priorityClasses.isEmpty()
                ? List.of(new PriorityClass("low", 100, "batch work that may wait"),
                new PriorityClass("normal", 500, "the default"),
                new PriorityClass("high", 1000, "production; may evict preemptible lower-priority jobs"))
                : List.copyOf(priorityClasses);
        unique(priorityClasses.stream().map(PriorityClass::name).toList(), "priorityClasses");
        defaultPriorityClass = defaultPriorityClass == null ? "normal" : defaultPriorityClass;
        String defaultClass = defaultPriorityClass;
        InvalidValueException.require(priorityClasses.stream().anyMatch(c -> c.name().equals(defaultClass)),
                "defaultPriorityClass", defaultPriorityClass, "one of " + names(priorityClasses));
        tenants = tenants == null ? List.of() : List.copyOf(tenants);
        unique(tenants.stream().map(Tenant::name).toList(), "tenants");
        localityWait = localityWait == null ? DEFAULT_LOCALITY_WAIT : localityWait;
        InvalidValueException.require(!localityWait.isNegative(), "localityWait", localityWait, "0s or more, e.g. 30m");
    }

    /** A policy with the default locality wait. */
    public SchedulerPolicy(Integer maxJobsPerCycle, Boolean backfill, Boolean preemption, Duration fairShareHalfLife,
                           String defaultPriorityClass, List<PriorityClass> priorityClasses, List<Tenant> tenants) {
        this(maxJobsPerCycle, backfill, preemption, fairShareHalfLife, defaultPriorityClass, priorityClasses, tenants,
                null);
    }

    public static SchedulerPolicy defaults() {
        return new SchedulerPolicy(null, null, null, null, null, null, null, null);
    }

    /** The class a job names, or the default; an unknown name is the submitter's mistake. */
    public PriorityClass priorityClass(String name) {
        String wanted = name == null ? defaultPriorityClass : name;
        return priorityClasses.stream().filter(c -> c.name().equals(wanted)).findFirst()
                .orElseThrow(() -> new InvalidValueException("priorityClass", name, "one of " + names(priorityClasses)));
    }

    /** The tenant a job names: any name when none are configured, else one of them. */
    public Tenant tenant(String name) {
        if (tenants.isEmpty()) {
            return Tenant.unlimited(name);
        }
        return tenants.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new InvalidValueException("tenant", name, "one of "
                        + tenants.stream().map(Tenant::name).collect(Collectors.joining(", "))));
    }

    private static String names(List<PriorityClass> classes) {
        return classes.stream().map(PriorityClass::name).collect(Collectors.joining(", "));
    }

    private static void unique(List<String> names, String field) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            InvalidValueException.require(seen.add(names.get(i)), field + "[" + i + "].name", names.get(i),
                    "a name not used by an earlier entry");
        }
    }
}
