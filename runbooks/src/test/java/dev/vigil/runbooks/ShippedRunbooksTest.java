package dev.vigil.runbooks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ShippedRunbooksTest {
    @Test
    void theListNamesEveryShippedFileAndWritesThemAll(@TempDir Path dir) throws IOException, URISyntaxException {
        Path shipped = Path.of(ShippedRunbooks.class.getResource("/runbooks").toURI());
        try (Stream<Path> files = Files.list(shipped)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrderElementsOf(
                    ShippedRunbooks.FILES);
        }

        assertThat(ShippedRunbooks.writeTo(dir.resolve("runbooks"))).isEqualTo(dir.resolve("runbooks"));

        for (String file : ShippedRunbooks.FILES) {
            assertThat(dir.resolve("runbooks").resolve(file)).hasSameTextualContentAs(shipped.resolve(file));
        }
    }
}
