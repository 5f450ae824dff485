package dev.vigil.scheduler.policy;

import dev.vigil.api.binding.InvalidValueException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Who pays for GPUs, with a quota like a Kueue ClusterQueue and a fair-share weight like a Slurm
 * account.
 *
 * @param name           what jobs name in {@code tenant}
 * @param shares         its weight in fair share (default 1): twice the shares, twice the GPU-hours before its jobs fall behind
 * @param cohort         tenants of one cohort lend each other their unused quota
 * @param quota          nominal GPUs by model, e.g. {@code {H100: 64, "*": 8}}: a key matches when it is part of the
 *                       GPU's product name, {@code *} matches any; absent: no limit
 * @param borrowingLimit how many GPUs beyond the nominal quota it may borrow from its cohort, by the same keys
 *                       (a key left out: as many as the cohort has unused)
 */
public record Tenant(String name, Double shares, String cohort, Map<String, Integer> quota,
                     Map<String, Integer> borrowingLimit) {
    /** The quota key that matches any model. */
    public static final String ANY_MODEL = "*";

    public Tenant {
        InvalidValueException.required(name, "name", "the tenant's name, e.g. research");
        InvalidValueException.require(name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}"), "name", name,
                "letters, digits, '.', '_' and '-', up to 63");
        shares = shares == null ? 1.0 : shares;
        InvalidValueException.require(shares > 0, "shares", shares, "a positive number");
        quota = ordered(quota, "quota");
        borrowingLimit = ordered(borrowingLimit, "borrowingLimit");
        for (String key : borrowingLimit.keySet()) {
            InvalidValueException.require(quota.containsKey(key), "borrowingLimit." + key, borrowingLimit.get(key),
                    "a limit for a model the quota names (" + String.join(", ", quota.keySet()) + ")");
        }
        InvalidValueException.require(borrowingLimit.isEmpty() || cohort != null, "borrowingLimit",
                borrowingLimit, "nothing without a cohort to borrow from");
    }

    /** A tenant with no quota and one share: what every tenant is when none are configured. */
    public static Tenant unlimited(String name) {
        return new Tenant(name, 1.0, null, null, null);
    }

    public boolean limited() {
        return !quota.isEmpty();
    }

    /** The quota key that covers {@code model}: the first that is part of its name, else {@code *}, else null. */
    public String quotaKey(String model) {
        String lower = model.toLowerCase(Locale.ROOT);
        for (String key : quota.keySet()) {
            if (!key.equals(ANY_MODEL) && lower.contains(key.toLowerCase(Locale.ROOT))) {
                return key;
            }
        }
        return quota.containsKey(ANY_MODEL) ? ANY_MODEL : null;
    }

    /** Keeps the order the config gave, which decides which key covers a model. */
    private static Map<String, Integer> ordered(Map<String, Integer> gpus, String field) {
        if (gpus == null) {
            return Map.of();
        }
        Map<String, Integer> copy = new LinkedHashMap<>();
        gpus.forEach((key, value) -> {
            InvalidValueException.require(value != null && value >= 0, field + "." + key, value, "0 or more GPUs");
            copy.put(key, value);
        });
        return Collections.unmodifiableMap(copy);
    }
}
