package dev.vigil.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.vigil.agent.placement.PlacementRules;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.gpu.dcgm.DcgmSettings;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.health.HealthThresholds;
import dev.vigil.gpu.nvml.NvmlSettings;
import dev.vigil.gpu.simulated.SimulatedSpec;
import dev.vigil.http.ConnectionLimits;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
 * @param simulated  the simulated node, for {@code backend: simulated}
 * @param controller where the agent reports to; none by default
 * @param connections how many connections the agent's server holds, and how long an idle one stays open
 * @param faultApi   who may inject and clear faults on simulated GPUs
 * @param actions    how the repairs the controller asks for run on real GPUs
 * @param mig        how the agent brings its GPUs to the MIG layouts the controller asks for
 * @param placement  how the agent judges the processes on its GPUs against its allocations
 */
public record AgentConfig(String node, String listen, BackendKind backend, Sampling sampling, Duration xidWindow,
                          HealthThresholds health, DcgmSettings dcgm, NvmlSettings nvml, SimulatedSpec simulated,
                          Controller controller, ConnectionLimits connections, FaultApi faultApi, Actions actions,
                          Mig mig, Placement placement) {

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
        controller = controller == null ? Controller.NONE : controller;
        connections = connections == null ? ConnectionLimits.defaults() : connections;
        faultApi = faultApi == null ? FaultApi.LOOPBACK_ONLY : faultApi;
        InvalidValueException.require(faultApi == FaultApi.LOOPBACK_ONLY || backend == BackendKind.SIMULATED,
                "faultApi", "(a faultApi section)", "only with backend: simulated (the fault API exists only there)");
        actions = actions == null ? Actions.DEFAULTS : actions;
        mig = mig == null ? Mig.DEFAULTS : mig;
        placement = placement == null ? Placement.DEFAULTS : placement;
    }

    /** A config with the default placement settings. */
    public AgentConfig(String node, String listen, BackendKind backend, Sampling sampling, Duration xidWindow,
                       HealthThresholds health, DcgmSettings dcgm, NvmlSettings nvml, SimulatedSpec simulated,
                       Controller controller, ConnectionLimits connections, FaultApi faultApi, Actions actions,
                       Mig mig) {
        this(node, listen, backend, sampling, xidWindow, health, dcgm, nvml, simulated, controller, connections,
                faultApi, actions, mig, null);
    }

    /** A config with the default MIG settings. */
    public AgentConfig(String node, String listen, BackendKind backend, Sampling sampling, Duration xidWindow,
                       HealthThresholds health, DcgmSettings dcgm, NvmlSettings nvml, SimulatedSpec simulated,
                       Controller controller, ConnectionLimits connections, FaultApi faultApi, Actions actions) {
        this(node, listen, backend, sampling, xidWindow, health, dcgm, nvml, simulated, controller, connections,
                faultApi, actions, null);
    }

    /** A config with the default connection limits, faults from this host only and the default repair commands. */
    public AgentConfig(String node, String listen, BackendKind backend, Sampling sampling, Duration xidWindow,
                       HealthThresholds health, DcgmSettings dcgm, NvmlSettings nvml, SimulatedSpec simulated,
                       Controller controller, ConnectionLimits connections, FaultApi faultApi) {
        this(node, listen, backend, sampling, xidWindow, health, dcgm, nvml, simulated, controller, connections,
                faultApi, null, null);
    }

    /** A config with the default connection limits and faults from this host only. */
    public AgentConfig(String node, String listen, BackendKind backend, Sampling sampling, Duration xidWindow,
                       HealthThresholds health, DcgmSettings dcgm, NvmlSettings nvml, SimulatedSpec simulated,
                       Controller controller) {
        this(node, listen, backend, sampling, xidWindow, health, dcgm, nvml, simulated, controller, null, null, null,
                null);
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

    /**
     * How the repairs the controller asks for (GPU reset, reboot, health check) run on real GPUs;
     * simulated GPUs take their delays from the simulated section instead.
     *
     * @param stateDir  where the agent keeps what must outlive it: the reboot it asked for
     * @param nvidiaSmi the nvidia-smi to reset a GPU with ({@code nvidia-smi -r -i N})
     * @param dcgmi     the dcgmi to run diagnostics with ({@code dcgmi diag -r N -j})
     * @param systemctl the systemctl to reboot with ({@code systemctl reboot})
     * @param timeout   how long one such command may run before it is killed and the repair fails
     */
    public record Actions(Path stateDir, String nvidiaSmi, String dcgmi, String systemctl, Duration timeout) {
        static final Actions DEFAULTS = new Actions(null, null, null, null, null);

        public Actions {
            stateDir = stateDir == null ? Path.of("/var/lib/vigil-agent") : stateDir;
            nvidiaSmi = command(nvidiaSmi, "nvidia-smi", "nvidiaSmi");
            dcgmi = command(dcgmi, "dcgmi", "dcgmi");
            systemctl = command(systemctl, "systemctl", "systemctl");
            timeout = timeout == null ? Duration.ofMinutes(30) : timeout;
            InvalidValueException.require(timeout.compareTo(Duration.ofSeconds(1)) >= 0
                    && timeout.compareTo(Duration.ofHours(4)) <= 0, "timeout", timeout, "from 1s to 4h");
        }

        private static String command(String value, String fallback, String field) {
            String command = value == null ? fallback : value.strip();
            InvalidValueException.require(!command.isEmpty() && command.chars().noneMatch(Character::isWhitespace),
                    field, value, "a program name found on PATH, or an absolute path, without spaces");
            return command;
        }
    }

    /**
     * How the agent brings its GPUs to the MIG layouts of the controller's desired state.
     *
     * @param allowReset   whether the agent may reset a GPU itself when its MIG mode change waits for a
     *                     reset (only while no process uses it); when not, the change stays reset-required
     * @param applyTimeout how long a change may wait (for processes to exit, for a reset) before it fails
     *                     with the reason it was waiting for
     * @param stateDir     where the agent journals the layouts it holds, to finish a change a restart cut
     *                     and recreate instances a reboot lost; by default {@code actions.stateDir} (on
     *                     simulated GPUs, which do not outlive the agent, no journal unless this is set)
     */
    public record Mig(Boolean allowReset, Duration applyTimeout, Path stateDir) {
        static final Mig DEFAULTS = new Mig(null, null, null);

        public Mig {
            allowReset = allowReset == null ? Boolean.TRUE : allowReset;
            applyTimeout = applyTimeout == null ? Duration.ofMinutes(5) : applyTimeout;
            InvalidValueException.require(applyTimeout.compareTo(Duration.ofSeconds(1)) >= 0
                    && applyTimeout.compareTo(Duration.ofHours(1)) <= 0, "applyTimeout", applyTimeout,
                    "from 1s to 1h");
        }
    }

    /**
     * Placement enforcement: each process on a GPU is attributed to its job and judged against the node's
     * allocations (on simulated GPUs the simulator says whose a process is). What is done about a violation is the
     * node pool's policy, from the desired state.
     *
     * @param procRoot where /proc is (a test lays out a fake tree)
     * @param grace    how long after an allocation starts or ends on a GPU its processes are not judged
     * @param system   command or systemd unit names always allowed (replaces the default list)
     */
    public record Placement(Path procRoot, Duration grace, List<String> system) {
        static final Placement DEFAULTS = new Placement(null, null, null);

        public Placement {
            procRoot = procRoot == null ? Path.of("/proc") : procRoot;
            grace = grace == null ? PlacementRules.DEFAULT_GRACE : grace;
            InvalidValueException.require(!grace.isNegative() && grace.compareTo(Duration.ofHours(1)) <= 0, "grace",
                    grace, "from 0s to 1h");
            system = system == null ? PlacementRules.DEFAULT_SYSTEM : List.copyOf(system);
            for (String name : system) {
                InvalidValueException.require(name != null && !name.isBlank(), "system", name,
                        "a command or unit name");
            }
        }
    }

    /**
     * Who may use {@code POST} and {@code DELETE /v1/faults} (simulated backend only). With a token,
     * every request needs {@code Authorization: Bearer <token>}; without one, only clients on this
     * host (loopback) may, whatever {@code listen} says: injecting an XID pages people.
     *
     * @param token     the token callers must present, or null
     * @param tokenFile a file holding it (read at start), or null
     */
    public record FaultApi(@JsonProperty(access = JsonProperty.Access.WRITE_ONLY) String token, String tokenFile) {
        static final FaultApi LOOPBACK_ONLY = new FaultApi(null, null);

        public FaultApi {
            InvalidValueException.require(token == null || tokenFile == null, "tokenFile", tokenFile,
                    "either token or tokenFile, not both (token is set too)");
            InvalidValueException.require(token == null || Controller.validToken(token), "token", "(hidden)",
                    "printable characters without spaces");
            if (tokenFile != null) {
                Controller.readTokenFile(tokenFile, "a readable file holding the fault API's token");
            }
        }

        /** The token requests must present, or null when only loopback clients may call. */
        public String readToken() {
            return token != null ? token : tokenFile == null ? null
                    : Controller.readTokenFile(tokenFile, "a readable file holding the fault API's token");
        }

        @Override
        public String toString() {
            return "FaultApi[token=" + (token == null ? "null" : "(hidden)") + ", tokenFile=" + tokenFile + "]";
        }
    }

    /**
     * Where and how the agent reports to the controller. With no {@code urls} it reports nowhere.
     *
     * @param urls      the controller members, {@code http(s)://host:port}; the agent uses one and fails
     *                  over to the next when it does not answer
     * @param token     the agent's API token (role agent), or null when {@code tokenFile} holds it
     * @param tokenFile a file holding the token (read at start, and again when the controller says
     *                  the token is not valid), or null when {@code token} is given
     * @param interval  how often the agent reports; a change of a GPU's health or a new event (an XID) is
     *                  reported at once
     * @param timeout   how long one request (connection included) may take before the next member is tried
     */
    public record Controller(List<String> urls,
                             @JsonProperty(access = JsonProperty.Access.WRITE_ONLY) String token,
                             String tokenFile, Duration interval, Duration timeout) {
        static final Controller NONE = new Controller(null, null, null, null, null);
        private static final String URL_ALLOWED = "http://host:port or https://host:port, e.g. http://ctl-1:8080";
        private static final String AGENT_TOKEN = "a readable file holding the agent's API token (role agent)";

        public Controller {
            urls = urls == null ? List.of() : new ArrayList<>(urls);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < urls.size(); i++) {
                String url = normalize(urls.get(i), "urls[" + i + "]");
                InvalidValueException.require(seen.add(url), "urls[" + i + "]", urls.get(i),
                        "each controller once (it is listed twice)");
                urls.set(i, url);
            }
            urls = List.copyOf(urls);
            interval = interval == null ? Duration.ofSeconds(2) : interval;
            InvalidValueException.require(interval.compareTo(Duration.ofMillis(200)) >= 0
                    && interval.compareTo(Duration.ofMinutes(1)) <= 0, "interval", interval, "from 200ms to 1m");
            timeout = timeout == null ? Duration.ofSeconds(2) : timeout;
            InvalidValueException.require(timeout.compareTo(Duration.ofMillis(100)) >= 0
                    && timeout.compareTo(Duration.ofMinutes(1)) <= 0, "timeout", timeout, "from 100ms to 1m");
            InvalidValueException.require(token == null || tokenFile == null, "tokenFile", tokenFile,
                    "either token or tokenFile, not both (token is set too)");
            if (token != null) {
                // Never echo the token itself: error messages end up in logs.
                InvalidValueException.require(validToken(token), "token", "(hidden)",
                        "the API token: printable characters without spaces");
            }
            if (!urls.isEmpty()) {
                InvalidValueException.require(token != null || tokenFile != null, "token", null,
                        "token or tokenFile: the agent's API token (role agent), needed when urls are given");
                if (tokenFile != null) {
                    readTokenFile(tokenFile, AGENT_TOKEN);
                }
            }
        }

        /** Whether the agent reports anywhere. */
        public boolean enabled() {
            return !urls.isEmpty();
        }

        /** The token: {@code token}, or the content of {@code tokenFile} read now. */
        public String readToken() {
            return token != null ? token : readTokenFile(tokenFile, AGENT_TOKEN);
        }

        @Override
        public String toString() {
            return "Controller[urls=" + urls + ", token=" + (token == null ? "null" : "(hidden)") + ", tokenFile="
                    + tokenFile + ", interval=" + interval + ", timeout=" + timeout + "]";
        }

        private static String normalize(String url, String field) {
            InvalidValueException.require(url != null && !url.isBlank(), field, url, URL_ALLOWED);
            URI uri;
            try {
                uri = new URI(url.trim());
            } catch (URISyntaxException e) {
                throw new InvalidValueException(field, url, URL_ALLOWED + " (" + e.getReason() + ")");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            InvalidValueException.require(scheme.equals("http") || scheme.equals("https"), field, url, URL_ALLOWED);
            InvalidValueException.require(uri.getHost() != null, field, url, URL_ALLOWED + " (no host)");
            InvalidValueException.require(uri.getPort() >= 1 && uri.getPort() <= 65535, field, url,
                    URL_ALLOWED + " (a port from 1 to 65535)");
            InvalidValueException.require(uri.getUserInfo() == null, field, url,
                    URL_ALLOWED + " (no user in the URL: the token goes in token or tokenFile)");
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            InvalidValueException.require((path.isEmpty() || path.equals("/")) && uri.getRawQuery() == null
                    && uri.getRawFragment() == null, field, url, URL_ALLOWED + " (no path: the agent adds /v1/...)");
            return scheme + "://" + uri.getRawAuthority();
        }

        static boolean validToken(String token) {
            return !token.isEmpty() && token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
        }

        static String readTokenFile(String tokenFile, String allowed) {
            String text;
            try {
                text = Files.readString(Path.of(tokenFile), StandardCharsets.UTF_8).trim();
            } catch (NoSuchFileException e) {
                throw new InvalidValueException("tokenFile", tokenFile, allowed + "; there is no such file");
            } catch (IOException | InvalidPathException e) {
                throw new InvalidValueException("tokenFile", tokenFile, allowed + "; cannot read it: " + e);
            }
            InvalidValueException.require(!text.isEmpty(), "tokenFile", tokenFile, allowed + "; this one is empty");
            InvalidValueException.require(validToken(text), "tokenFile", tokenFile,
                    allowed + "; this one holds more than one word or control characters");
            return text;
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
