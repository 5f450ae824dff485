package dev.vigil.provisioning.install;

import java.util.stream.Collectors;

/** The files an install writes on a host, as pure functions of the settings. */
final class AgentFiles {
    private AgentFiles() {
    }

    /**
     * agent.yaml for the node: its name (the controller knows it by it), the backend, the port, the
     * controllers and the token. Written with mode 0600: it holds the token. A background agent keeps
     * its state under the prefix; under systemd it is the unit's StateDirectory, the default.
     */
    static String agentYaml(String node, InstallSettings settings, String prefix) {
        String urls = settings.controllerUrls().stream().map(AgentFiles::quoted).collect(Collectors.joining(", "));
        return "# Written by 'vigil provision install'; a later install replaces it.\n"
                + "node: " + quoted(node) + "\n"
                + "listen: \":" + settings.agentPort() + "\"\n"
                + "backend: " + settings.backend() + "\n"
                + "controller:\n"
                + "  urls: [" + urls + "]\n"
                + "  token: " + quoted(settings.agentToken()) + "\n"
                + (settings.service() == InstallSettings.Service.SYSTEMD ? ""
                : "actions:\n  stateDir: " + quoted(prefix + "/state") + "\n");
    }

    /**
     * The distribution's unit, pointed at the prefix. systemd hands agent.yaml (root's, 0600) to the
     * unit's dynamic user as a credential, so the token stays unreadable to everyone else.
     */
    static String systemdUnit(String shipped, String prefix) {
        StringBuilder unit = new StringBuilder();
        for (String line : shipped.split("\n", -1)) {
            if (line.startsWith("ExecStart=")) {
                unit.append("LoadCredential=agent.yaml:").append(prefix).append("/etc/agent.yaml\n");
                unit.append("ExecStart=").append(prefix).append("/current/bin/vigil agent --config %d/agent.yaml");
            } else {
                unit.append(line);
            }
            unit.append('\n');
        }
        return unit.toString().replaceFirst("\n+$", "\n");
    }

    static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
