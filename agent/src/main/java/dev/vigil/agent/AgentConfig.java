package dev.vigil.agent;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.gpu.dcgm.DcgmSettings;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.health.HealthThresholds;
import dev.vigil.gpu.nvml.NvmlSettings;
import dev.vigil.gpu.simulated.SimulatedSpec;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The agent's configuration ({@code conf/agent.yaml}); every key is documented there. Unknown
 * keys and bad values stop the agent at start with a message naming the key, the value and what
 * is allowed.
 *
 * @param node      the node's name: the {@code Hostname} label and the name the controller knows it by
 * @param listen    where /metrics and the agent's API listen
 * @param backend   auto, dcgm, nvml or simulated
 * @param sampling  how often and what to sample
 * @param xidWindow the window of {@code DCGM_EXP_XID_ERRORS_COUNT}
 * @param health    thresholds of health conditions
 * @param dcgm      how to reach DCGM, for {@code backend: auto} or {@code dcgm}
 * @param nvml      how to reach NVML, for {@code backend: auto}, {@code dcgm} or {@code nvml}
 * @param simulated the simulated node, for {@code backend: simulated}
 */
public record AgentConfig(String node, String listen, BackendKind backend, Sampling sampling, Duration xidWindow,
                          HealthThresholds health, DcgmSettings dcgm, NvmlSettings nvml, SimulatedSpec simulated) {

    public AgentConfig {
        node = node == null || node.isBlank() ? localHostName() : node;
        InvalidValueException.require(node.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}"), "node", node,
                "a host name: letters, digits, '.', '_' and '-', up to 63 characters");
        listen = listen == null ? ":9400" : listen;
        Listen.parse(listen, "listen");
        backend = backend == null ? BackendKind.AUTO : backend;
        sampling = sampling == null ? new Sampling(null, null) : sampling;
        xidWindow = xidWindow == null ? Duration.ofMinutes(5) : xidWindow;
        InvalidValueException.require(!xidWindow.isNegative() && xidWindow.compareTo(Duration.ofSeconds(1)) >= 0
                && xidWindow.compareTo(Duration.ofDays(1)) <= 0, "xidWindow", xidWindow, "from 1s to 1d");
        health = health == null ? HealthThresholds.defaults() : health;
        if (backend == BackendKind.SIMULATED) {
            simulated = simulated == null ? new SimulatedSpec(null, null, null, null, null) : simulated;
            InvalidValueException.require(dcgm == null, "dcgm", "(a dcgm section)",
                    "only with backend auto or dcgm (backend is simulated)");
            InvalidValueException.require(nvml == null, "nvml", "(an nvml section)",
                    "only with backend auto, dcgm or nvml (backend is simulated)");
        } else {
            dcgm = dcgm == null ? DcgmSettings.defaults() : dcgm;
            nvml = nvml == null ? NvmlSettings.defaults() : nvml;
            InvalidValueException.require(simulated == null, "simulated", "(a simulated section)",
                    "only with backend: simulated (backend is " + backend.name().toLowerCase() + ")");
        }
    }

    /** Reads and checks a config file. */
    public static AgentConfig load(Path file) {
        return Documents.readYaml(file, AgentConfig.class);
    }

    public InetSocketAddress listenAddress() {
        return Listen.parse(listen, "listen");
    }

    /**
     * How often and what to sample.
     *
     * @param interval how often the backend is read (a scrape never waits for it)
     * @param fields   field sets ({@code default}, {@code dcgm-exporter}, {@code all}) and
     *                 {@code DCGM_FI_*} names, combined
     */
    public record Sampling(Duration interval, List<String> fields) {
        public Sampling {
            interval = interval == null ? Duration.ofSeconds(1) : interval;
            InvalidValueException.require(interval.compareTo(Duration.ofMillis(50)) >= 0
                    && interval.compareTo(Duration.ofMinutes(10)) <= 0, "interval", interval, "from 50ms to 10m");
            fields = fields == null || fields.isEmpty() ? List.of("default") : List.copyOf(fields);
            for (int i = 0; i < fields.size(); i++) {
                String name = fields.get(i);
                InvalidValueException.require(setOf(name) != null || FieldCatalog.byName(name).isPresent(),
                        "fields[" + i + "]", name, "default, dcgm-exporter, all, or a field name: "
                                + String.join(", ", FieldCatalog.names()));
            }
        }

        /** The fields named, in catalog order, without duplicates. */
        public List<Field> resolve() {
            List<Field> ordered = new ArrayList<>(resolveAsWritten());
            ordered.sort((a, b) -> Integer.compare(a.id(), b.id()));
            return ordered;
        }

        /** The fields named, in the order written (a set's fields in catalog order), without duplicates. */
        public List<Field> resolveAsWritten() {
            Set<Field> resolved = new LinkedHashSet<>();
            for (String name : fields) {
                List<Field> set = setOf(name);
                if (set != null) {
                    resolved.addAll(set);
                } else {
                    resolved.add(FieldCatalog.byName(name).orElseThrow());
                }
            }
            return new ArrayList<>(resolved);
        }

        private static List<Field> setOf(String name) {
            return switch (name) {
                case "default" -> FieldCatalog.DEFAULTS;
                case "dcgm-exporter" -> FieldCatalog.DCGM_EXPORTER_DEFAULTS;
                case "all" -> FieldCatalog.ALL;
                default -> null;
            };
        }
    }

    private static String localHostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            int dot = name.indexOf('.');
            return dot > 0 ? name.substring(0, dot) : name;
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
