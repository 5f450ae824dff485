package dev.vigil.runbooks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The runbooks Vigil ships (in this jar, under {@code /runbooks/}), every one written {@code dry-run}.
 * A controller configured with no runbook directory of its own runs these.
 */
public final class ShippedRunbooks {
    /** Every shipped file: a jar cannot be listed, so the list is kept here (a test compares it with the directory). */
    public static final List<String> FILES = List.of("capacity-report.yaml", "gpu-fallen-off-bus.yaml",
            "gpu-reset-needed.yaml", "nvlink-degraded.yaml", "rma.yaml", "thermal.yaml");

    private ShippedRunbooks() {
    }

    /**
     * Writes the shipped runbooks into {@code dir} (replacing earlier copies), for
     * {@link RunbookFiles#load} and for operators to read where they came from.
     *
     * @return {@code dir}
     */
    public static Path writeTo(Path dir) {
        try {
            Files.createDirectories(dir);
            for (String file : FILES) {
                try (InputStream in = ShippedRunbooks.class.getResourceAsStream("/runbooks/" + file)) {
                    if (in == null) {
                        throw new IllegalStateException("/runbooks/" + file + " is missing from the classpath");
                    }
                    Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the shipped runbooks to " + dir, e);
        }
    }
}
