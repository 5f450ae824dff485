package dev.vigil.cli;

import dev.vigil.agent.Agent;
import dev.vigil.agent.Backends;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.GpuBackendException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code vigil agent}: the node agent. */
@Command(name = "agent",
        mixinStandardHelpOptions = true,
        description = {
                "Run the node agent on a GPU host.",
                "",
                "It samples the GPUs, serves dcgm-exporter-compatible /metrics and evaluates GPU health.",
                "",
                "Endpoints (default :9400): /metrics, /healthz, /readyz, /v1/node, /v1/events?since=N,",
                "and on simulated GPUs POST/DELETE /v1/faults.",
                "",
                "Every setting lives in the config file; conf/agent.yaml documents each key. A bad key or value",
                "stops the agent at start with a message naming it (exit status 2); no GPU library, exit status 3;",
                "its port already in use, exit status 4.",
                "",
                "'vigil agent gate --prolog|--epilog' is Slurm's prolog and epilog: it asks this agent about a job's GPUs.",
                ""},
        subcommands = GateCommand.class,
        footer = {"", "Examples:",
                "  vigil agent -c /etc/vigil/agent.yaml",
                "  vigil agent -c agent.yaml --check          # validate the config and exit",
                "  vigil agent --backend simulated --listen :9500",
                "  vigil agent gate --prolog                  # in slurm.conf's Prolog= script"})
final class AgentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Config file (default: /etc/vigil/agent.yaml when it exists, else built-in defaults).")
    Path config;

    @Option(names = "--backend", paramLabel = "KIND",
            description = "Override the config's backend: auto, dcgm, nvml or simulated.")
    String backend;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Override the config's listen address.")
    String listen;

    @Option(names = "--node", paramLabel = "NAME", description = "Override the node name (default: the host name).")
    String node;

    @Option(names = "--check", description = "Validate the config, print it as the agent reads it, and exit.")
    boolean check;

    @Override
    public Integer call() throws Exception {
        AgentConfig agentConfig;
        try {
            Map<String, String> overrides = new LinkedHashMap<>();
            overrides.put("backend", backend);
            overrides.put("listen", listen);
            overrides.put("node", node);
            agentConfig = AgentConfigs.load(config, overrides);
        } catch (InvalidDocumentException e) {
            spec.commandLine().getErr().println("vigil agent: config error: " + e.getMessage());
            return ExitCodes.CONFIG;
        }
        if (check) {
            CheckedConfig.print(agentConfig, spec.commandLine().getOut());
            return ExitCodes.OK;
        }
        ListenAddress.check(agentConfig.listen(), listen != null ? "--listen" : "listen (in the config file, or --listen)");
        GpuBackend gpuBackend;
        try {
            gpuBackend = Backends.open(agentConfig, Clock.systemUTC());
        } catch (GpuBackendException e) {
            spec.commandLine().getErr().println("vigil agent: no GPU backend: " + e.getMessage());
            return ExitCodes.NO_BACKEND;
        }
        Agent agent = Agent.start(agentConfig, gpuBackend, Clock.systemUTC(), null, SystemdNotifier.fromEnvironment());
        Shutdown.closeOnSignal(List.of(agent));
        return ExitCodes.OK;
    }
}
