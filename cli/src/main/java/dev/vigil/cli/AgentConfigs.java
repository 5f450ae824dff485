package dev.vigil.cli;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.api.binding.Documents;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The agent's config as commands read it: a file (or /etc/vigil/agent.yaml, or defaults) plus flags. */
final class AgentConfigs {
    static final Path SYSTEM_CONFIG = Path.of("/etc/vigil/agent.yaml");

    private AgentConfigs() {
    }

    /** Reads {@code file} with the given top-level overrides; null overrides are left out. */
    static AgentConfig load(Path file, Map<String, String> overrides) {
        Map<String, Object> set = new LinkedHashMap<>();
        overrides.forEach((key, value) -> {
            if (value != null) {
                set.put(key, value);
            }
        });
        Path chosen = file != null ? file : Files.exists(SYSTEM_CONFIG) ? SYSTEM_CONFIG : null;
        return Documents.readYaml(chosen, AgentConfig.class, set);
    }
}
