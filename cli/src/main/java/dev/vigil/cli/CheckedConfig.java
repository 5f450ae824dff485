package dev.vigil.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.vigil.api.binding.Documents;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * What {@code --check} prints: a config as the process reads it, in the YAML it was written in,
 * paths as a person writes them ({@code /var/lib/vigil}, not Jackson's {@code file:///var/lib/vigil}).
 */
final class CheckedConfig {
    private static final ObjectWriter WRITER = Documents.yaml().copy()
            .registerModule(new SimpleModule("paths-as-written").addSerializer(Path.class, ToStringSerializer.instance))
            .writer();

    private CheckedConfig() {
    }

    static void print(Object config, PrintWriter out) throws JsonProcessingException {
        out.print(WRITER.writeValueAsString(config));
        out.flush();
    }
}
