package dev.vigil.controller.config;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.runbooks.Mode;
import dev.vigil.runbooks.guards.GuardLimits;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code runbooks:} section of the controller's config: which runbooks run and within which guards.
 *
 * @param dir           the runbook files ({@code *.yaml}), read at start and on {@code POST /v1/runbooks/reload};
 *                      absent: the runbooks Vigil ships (every one {@code dry-run}), written under the data dir
 * @param mode          {@code active} or {@code dry-run} for every runbook, whatever its file says; absent:
 *                      each file's own mode
 * @param guards        the fleet-wide guards: remediation limit, circuit breaker, repeat offenders
 * @param interval      how often the leader advances the runs (also at once on a change that concerns them)
 * @param bmc           how {@code power-cycle} steps reach the nodes' BMCs; absent: such steps fail saying so
 * @param ssh           how {@code exec} steps reach the nodes over SSH; absent: such steps fail saying so
 * @param reports       where capacity reports are written (default: {@code reports/} under the data dir)
 * @param reportWebhook where capacity reports are also sent as JSON, if set
 */
public record RunbookSettings(Path dir, Mode mode, GuardLimits guards, Duration interval, Bmc bmc, Ssh ssh,
                              Path reports, URI reportWebhook) {
    public RunbookSettings {
        guards = guards == null ? GuardLimits.defaults() : guards;
        interval = interval == null ? Duration.ofSeconds(1) : interval;
        InvalidValueException.require(interval.compareTo(Duration.ofMillis(100)) >= 0
                && interval.compareTo(Duration.ofMinutes(1)) <= 0, "interval", interval, "from 100ms to 1m");
        if (reportWebhook != null) {
            InvalidValueException.require("http".equals(reportWebhook.getScheme())
                    || "https".equals(reportWebhook.getScheme()), "reportWebhook", reportWebhook,
                    "an http:// or https:// URL");
        }
    }

    public static RunbookSettings defaults() {
        return new RunbookSettings(null, null, null, null, null, null, null, null);
    }

    /**
     * The nodes' BMCs, for {@code ipmitool -I lanplus -H HOST -U USER -f PASSWORD_FILE chassis power cycle}.
     *
     * @param hostSuffix   a node's BMC is its name with this appended (e.g. {@code -bmc}), unless {@code hosts} names it
     * @param hosts        BMC addresses by node name
     * @param user         the IPMI user
     * @param passwordFile the file holding the IPMI password (ipmitool reads it; it never reaches a command line)
     * @param ipmitool     the ipmitool executable (default {@code ipmitool} on the PATH)
     */
    public record Bmc(String hostSuffix, Map<String, String> hosts, String user, Path passwordFile,
                      String ipmitool) {
        public Bmc {
            hosts = hosts == null ? Map.of() : Map.copyOf(hosts);
            InvalidValueException.required(user, "bmc.user", "the IPMI user name");
            InvalidValueException.required(passwordFile, "bmc.passwordFile", "the file holding the IPMI password");
            InvalidValueException.require(hostSuffix != null || !hosts.isEmpty(), "bmc.hosts", null,
                    "BMC addresses by node name, or a hostSuffix appended to node names");
            ipmitool = ipmitool == null ? "ipmitool" : ipmitool;
        }

        /** The BMC address of {@code node}. */
        public String host(String node) {
            return hosts.getOrDefault(node, hostSuffix == null ? null : node + hostSuffix);
        }
    }

    /**
     * How {@code exec} steps reach the nodes: provisioning's SSH client, key authentication only,
     * host keys pinned (never learnt: a node whose key is not in {@code knownHosts}, or differs, is
     * refused, naming the fingerprints).
     *
     * @param user           the login user of nodes {@code hosts} gives none for (default: the controller's user)
     * @param identity       the private key
     * @param knownHosts     the pinned host keys, OpenSSH's format (as {@code vigil provision} writes them)
     * @param hosts          {@code [user@]address[:port]} by node name; a node not named is reached at its name
     * @param connectTimeout for a node to answer SSH (default 10s)
     * @param commandTimeout for the command to end (default 5m)
     */
    public record Ssh(String user, Path identity, Path knownHosts, Map<String, String> hosts, Duration connectTimeout,
                      Duration commandTimeout) {
        public Ssh {
            InvalidValueException.required(identity, "ssh.identity", "the private key exec steps log in with");
            InvalidValueException.required(knownHosts, "ssh.knownHosts", "the known_hosts file with the nodes' pinned "
                    + "host keys");
            hosts = hosts == null ? Map.of() : Map.copyOf(hosts);
            connectTimeout = connectTimeout == null ? Duration.ofSeconds(10) : connectTimeout;
            commandTimeout = commandTimeout == null ? Duration.ofMinutes(5) : commandTimeout;
        }
    }
}
