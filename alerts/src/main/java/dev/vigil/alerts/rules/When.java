package dev.vigil.alerts.rules;

import dev.vigil.api.binding.InvalidValueException;

import java.util.ArrayList;
import java.util.List;

/**
 * A rule's condition as written: exactly one kind, each with its own keys, so a key that does not
 * belong to the kind is an unknown key with the kind's keys listed.
 */
public record When(Condition.Xid xid, Condition.GpuHealth gpuHealth, Condition.GpuTemperature gpuTemperature,
                   Condition.GpuPower gpuPower, Condition.NodeUnreachable nodeUnreachable, Condition.GpuIdle gpuIdle,
                   Condition.JobPending jobPending, Condition.TenantQuota tenantQuota,
                   Condition.FleetCapacity fleetCapacity, Condition.RunbookFailed runbookFailed,
                   Condition.AutomationHalted automationHalted, Condition.PlacementViolation placementViolation) {
    static final String KINDS = "exactly one of xid, gpuHealth, gpuTemperature, gpuPower, nodeUnreachable, gpuIdle, "
            + "jobPending, tenantQuota, fleetCapacity, runbookFailed, automationHalted, placementViolation";

    public When {
        List<String> given = new ArrayList<>();
        add(given, "xid", xid);
        add(given, "gpuHealth", gpuHealth);
        add(given, "gpuTemperature", gpuTemperature);
        add(given, "gpuPower", gpuPower);
        add(given, "nodeUnreachable", nodeUnreachable);
        add(given, "gpuIdle", gpuIdle);
        add(given, "jobPending", jobPending);
        add(given, "tenantQuota", tenantQuota);
        add(given, "fleetCapacity", fleetCapacity);
        add(given, "runbookFailed", runbookFailed);
        add(given, "automationHalted", automationHalted);
        add(given, "placementViolation", placementViolation);
        InvalidValueException.require(given.size() == 1, "", given.isEmpty() ? null : String.join(", ", given), KINDS);
    }

    public static When of(Condition condition) {
        return new When(condition instanceof Condition.Xid c ? c : null,
                condition instanceof Condition.GpuHealth c ? c : null,
                condition instanceof Condition.GpuTemperature c ? c : null,
                condition instanceof Condition.GpuPower c ? c : null,
                condition instanceof Condition.NodeUnreachable c ? c : null,
                condition instanceof Condition.GpuIdle c ? c : null,
                condition instanceof Condition.JobPending c ? c : null,
                condition instanceof Condition.TenantQuota c ? c : null,
                condition instanceof Condition.FleetCapacity c ? c : null,
                condition instanceof Condition.RunbookFailed c ? c : null,
                condition instanceof Condition.AutomationHalted c ? c : null,
                condition instanceof Condition.PlacementViolation c ? c : null);
    }

    /** The one condition given. */
    public Condition condition() {
        for (Condition condition : new Condition[]{xid, gpuHealth, gpuTemperature, gpuPower, nodeUnreachable, gpuIdle,
                jobPending, tenantQuota, fleetCapacity, runbookFailed, automationHalted, placementViolation}) {
            if (condition != null) {
                return condition;
            }
        }
        throw new IllegalStateException("no condition");
    }

    private static void add(List<String> given, String name, Object value) {
        if (value != null) {
            given.add(name);
        }
    }
}
