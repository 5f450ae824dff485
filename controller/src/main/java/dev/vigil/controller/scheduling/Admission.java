package dev.vigil.controller.scheduling;

import dev.vigil.api.Problem;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.gpu.mig.MigGpuModel;
import dev.vigil.gpu.mig.MigProfile;
import dev.vigil.scheduler.Scheduler;
import dev.vigil.scheduler.topology.NodeCapacity;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a submitted job must pass beyond its spec's own rules, so that nothing is queued to wait
 * for ever: a pool that is configured, a MIG profile that exists, and (unless the spec asks to
 * wait for nodes that may join) some node the controller knows that could run it. Like Slurm's
 * "Requested node configuration is not available".
 */
final class Admission {
    private static final String WAIT = "or waitForNodes: true to queue it for nodes that may join";

    private Admission() {
    }

    /** A pool must be one the config names: a job for a pool that does not exist would wait for ever. */
    static void pool(JobSpec spec, Set<String> pools) {
        if (spec.pool() != null && !pools.contains(spec.pool())) {
            throw new InvalidValueException("pool", spec.pool(), pools.isEmpty()
                    ? "no pool: this controller configures none (scheduling.pools), so leave pool out"
                    : "one of " + String.join(", ", pools));
        }
    }

    /**
     * A MIG profile must be one of gpu-telemetry's geometry catalog, and (unless the spec waits for
     * nodes) one of a known GPU the job may use: names are per model (1g.10gb on H100, 1g.18gb on H200).
     */
    static void migProfile(JobSpec spec, Collection<NodeCapacity> nodes) {
        String profile = spec.migProfile();
        if (profile == null) {
            return;
        }
        boolean exists = Arrays.stream(MigGpuModel.values()).anyMatch(m -> m.profile(profile).isPresent());
        if (!exists) {
            throw new InvalidValueException("migProfile", profile, "a MIG profile of a MIG-capable GPU: "
                    + Arrays.stream(MigGpuModel.values()).map(Admission::profiles).collect(Collectors.joining("; ")));
        }
        Set<String> products = new LinkedHashSet<>();
        for (NodeCapacity node : nodes) {
            if (allows(spec, node.model()) && (spec.pool() == null || spec.pool().equals(node.pool()))) {
                products.add(node.model());
            }
        }
        if (spec.waitForNodes() || products.isEmpty()) {
            // Nothing known to check against; the scheduler says so when no node matches at all.
            return;
        }
        Set<MigGpuModel> models = products.stream().map(MigGpuModel::forProductName).flatMap(Optional::stream)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        if (models.stream().noneMatch(m -> m.profile(profile).isPresent())) {
            throw new InvalidValueException("migProfile", profile, (models.isEmpty()
                    ? "none: no GPU the job may use supports MIG (" + String.join(", ", products) + ")"
                    : "a profile of the fleet's MIG GPUs: " + models.stream().map(Admission::profiles)
                    .collect(Collectors.joining("; "))) + "; " + WAIT);
        }
    }

    /** A 400 for work no node the scheduler knows could ever run, or null when some could (or it waits for nodes). */
    static Problem unrunnable(JobSpec spec, Scheduler scheduler) {
        if (spec.waitForNodes()) {
            return null;
        }
        Optional<Scheduler.Unrunnable> never = scheduler.unrunnable(spec);
        if (never.isEmpty()) {
            return null;
        }
        String field = never.get().field();
        String value = switch (field) {
            case "models" -> String.join(", ", spec.models());
            case "pool" -> spec.pool();
            case "topology" -> spec.topology().level().name().toLowerCase(Locale.ROOT).replace('_', '-');
            case "gpus" -> String.valueOf(spec.gpus());
            default -> String.valueOf(spec.gpusPerNode());
        };
        String allowed = "what some node the controller knows (cordoned, drained or silent ones included) could "
                + "run, " + WAIT;
        return new Problem("/problems/unrunnable", "Requested node configuration is not available", 400,
                "request body: " + field + ": no node the controller knows could ever run this job: "
                        + never.get().why() + " (set waitForNodes: true to queue it for nodes that may join)",
                null, field, value, allowed);
    }

    /** Whether the spec's models allow a GPU of this product name (any, when it names none). */
    private static boolean allows(JobSpec spec, String product) {
        String lower = product.toLowerCase(Locale.ROOT);
        return spec.models().isEmpty() || spec.models().stream().anyMatch(m -> lower.contains(m.toLowerCase(Locale.ROOT)));
    }

    private static String profiles(MigGpuModel model) {
        return model.displayName() + " " + model.profiles().stream().map(MigProfile::name)
                .collect(Collectors.joining(", "));
    }
}
