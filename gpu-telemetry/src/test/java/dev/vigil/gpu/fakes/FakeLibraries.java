package dev.vigil.gpu.fakes;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Where the test build put the fake vendor libraries (src/test/c/build-fakes.sh). */
public final class FakeLibraries {
    private FakeLibraries() {
    }

    /** The path of a fake library; skips the test, saying why, when it was not built. */
    public static Path path(String fileName) {
        Path dir = Path.of(System.getProperty("vigil.fakelibs", "target/fakelibs"));
        Path library = dir.resolve(fileName);
        assumeTrue(Files.isRegularFile(library), "the fake " + fileName + " was not built: gcc is not installed "
                + "(Debian package 'gcc'); .ci/run installs it");
        return library;
    }
}
