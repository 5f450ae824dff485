package dev.vigil.alerts.fleet;

/**
 * A tenant's GPU use against its quota.
 *
 * @param tenant the tenant
 * @param used   GPUs its jobs hold now
 * @param quota  its nominal GPU quota, or null when it has none
 */
public record TenantUsage(String tenant, int used, Integer quota) {
}
