package dev.vigil.controller.config;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.slurm.SlurmConfig;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code slurm:} section of the controller's config: where Slurm is, and how Vigil's jobs
 * become Slurm jobs. Absent, the controller has no Slurm backend.
 *
 * @param connection       slurmrestd's address, user and token (the bridge's {@link SlurmConfig})
 * @param poll             how often the leader lists Slurm's jobs and nodes (default 2s), unless listing takes
 *                         more than a quarter of that (the poller spaces them)
 * @param partition        the partition of jobs whose tenant names none; null: Slurm's default partition
 * @param account          the account of jobs whose tenant names none; null: the Slurm user's default account
 * @param tenants          a tenant's partition and account, by tenant name
 * @param workingDirectory where a job's batch script starts, on the nodes (default /tmp)
 * @param output           where a job's stdout and stderr go, on the nodes: {@code {job}} is Vigil's job id,
 *                         Slurm's own patterns ({@code %j}, {@code %x}) work too; null: Slurm's
 *                         {@code slurm-%j.out} in the working directory
 */
public record SlurmSettings(SlurmConfig connection, Duration poll, String partition, String account,
                            Map<String, Route> tenants, String workingDirectory, String output) {
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]*";

    public SlurmSettings {
        InvalidValueException.required(connection, "connection",
                "slurmrestd's url, user and token or tokenFile, e.g. {url: http://slurmctl-1:6820, user: vigil, "
                        + "tokenFile: /etc/vigil/slurm.jwt}");
        poll = poll == null ? Duration.ofSeconds(2) : poll;
        InvalidValueException.require(poll.compareTo(Duration.ofMillis(100)) >= 0
                && poll.compareTo(Duration.ofMinutes(1)) <= 0, "poll", poll, "from 100ms to 1m");
        InvalidValueException.require(partition == null || partition.matches(NAME), "partition", partition,
                "a Slurm partition name");
        InvalidValueException.require(account == null || account.matches(NAME), "account", account,
                "a Slurm account name");
        tenants = tenants == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tenants));
        tenants.forEach((tenant, route) -> InvalidValueException.require(route != null, "tenants." + tenant,
                null, "a partition and/or an account, e.g. {partition: gpu-hi, account: research}"));
        workingDirectory = workingDirectory == null ? "/tmp" : workingDirectory;
        InvalidValueException.require(workingDirectory.startsWith("/"), "workingDirectory", workingDirectory,
                "an absolute path on the nodes, e.g. /tmp");
        InvalidValueException.require(output == null || output.startsWith("/") || output.startsWith("%"), "output",
                output, "an absolute path on the nodes, e.g. /var/log/vigil-jobs/{job}-%j.out");
    }

    /**
     * Where a tenant's jobs go in Slurm.
     *
     * @param partition the partition, or null for the section's default
     * @param account   the account, or null for the section's default
     */
    public record Route(String partition, String account) {
        public Route {
            InvalidValueException.require(partition == null || partition.matches(NAME), "partition", partition,
                    "a Slurm partition name");
            InvalidValueException.require(account == null || account.matches(NAME), "account", account,
                    "a Slurm account name");
        }
    }

    /** The partition of a tenant's jobs, or null for Slurm's default. */
    public String partitionOf(String tenant) {
        Route route = tenants.get(tenant);
        return route != null && route.partition() != null ? route.partition() : partition;
    }

    /** The account of a tenant's jobs, or null for the user's default. */
    public String accountOf(String tenant) {
        Route route = tenants.get(tenant);
        return route != null && route.account() != null ? route.account() : account;
    }
}
