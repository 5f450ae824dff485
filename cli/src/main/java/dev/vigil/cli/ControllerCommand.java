package dev.vigil.cli;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.controller.Controller;
import dev.vigil.controller.config.ControllerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code vigil controller}: a member of the control plane. */
@Command(name = "controller",
        mixinStandardHelpOptions = true,
        description = {
                "Run a member of the control plane.",
                "",
                "It holds the cluster state (Apache Ignite, persisted in the data dir) and runs leader",
                "election, agent reports, the health reflex, the job scheduler and the alert engine (on the",
                "leader) and the admin REST API (default :8080).",
                "",
                "Run 1 member for a lab, 3 or 5 in production: a member that sees fewer than a majority of the",
                "configured members refuses writes. conf/controller.yaml documents every key; a bad key or",
                "value stops the controller at start (exit status 2). So does one in the alert rules:",
                "conf/alerts.yaml, found beside the config file unless alerts.file names another. A port",
                "already in use stops it with exit status 4.",
                ""},
        footer = {"", "Examples:",
                "  vigil controller -c /etc/vigil/controller.yaml",
                "  vigil controller -c controller.yaml --check      # validate the config and exit"})
final class ControllerCommand implements Callable<Integer> {
    static final Path SYSTEM_CONFIG = Path.of("/etc/vigil/controller.yaml");

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Config file (default: /etc/vigil/controller.yaml when it exists, else built-in defaults).")
    Path config;

    @Option(names = "--member", paramLabel = "NAME", description = "Override this member's name.")
    String member;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Override where the REST API listens.")
    String listen;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Override where cluster state is kept.")
    String dataDir;

    @Option(names = "--check", description = "Validate the config, print it as the controller reads it, and exit.")
    boolean check;

    @Override
    public Integer call() throws Exception {
        ControllerConfig controllerConfig;
        try {
            Map<String, Object> overrides = new LinkedHashMap<>();
            if (member != null) {
                overrides.put("member", member);
            }
            if (listen != null) {
                overrides.put("listen", listen);
            }
            if (dataDir != null) {
                overrides.put("dataDir", dataDir);
            }
            Path file = config != null ? config : Files.exists(SYSTEM_CONFIG) ? SYSTEM_CONFIG : null;
            controllerConfig = Documents.readYaml(file, ControllerConfig.class, overrides);
            if (file != null) {
                controllerConfig = controllerConfig.besideFile(file);
            }
            controllerConfig.alerts().load();
        } catch (InvalidDocumentException e) {
            spec.commandLine().getErr().println("vigil controller: config error: " + e.getMessage());
            return ExitCodes.CONFIG;
        }
        if (check) {
            CheckedConfig.print(controllerConfig, spec.commandLine().getOut());
            return ExitCodes.OK;
        }
        ListenAddress.check(controllerConfig.listen(), listen != null ? "--listen" : "listen (in the config file, or "
                + "--listen)");
        Controller controller = Controller.start(controllerConfig, Clock.systemUTC());
        Shutdown.closeOnSignal(List.of(controller));
        return ExitCodes.OK;
    }
}
