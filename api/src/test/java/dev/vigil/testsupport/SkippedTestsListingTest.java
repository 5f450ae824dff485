package dev.vigil.testsupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * The listing of tests that did not run (test-support/, in every module's tests; tested here, in the
 * first module). The fixtures are nested classes, which Surefire does not run on its own.
 */
class SkippedTestsListingTest {
    static class AbortsInBeforeAll {
        @BeforeAll
        static void needsADaemon() {
            assumeTrue(false, "the daemon is not installed (Debian package 'daemon')");
        }

        @Test
        void first() {
        }

        @Test
        void second() {
        }
    }

    static class SkipsSome {
        @Test
        void runs() {
        }

        @Test
        void needsAFile() {
            assumeTrue(false, "no readable /data/trace.csv");
        }

        @Test
        @Disabled("waits for issue 99")
        void disabled() {
        }
    }

    static class RunsAll {
        @Test
        void runs() {
        }
    }

    private static String listing(Class<?>... classes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LauncherConfig config = LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false)
                .addTestExecutionListeners(new SkippedTestsListing(new PrintStream(out, true, StandardCharsets.UTF_8)))
                .build();
        var request = request();
        for (Class<?> type : classes) {
            request.selectors(selectClass(type));
        }
        LauncherFactory.create(config).execute(request.build());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyTestThatDidNotRunIsListedWithItsReasonAClassAbortedInBeforeAllIncluded() {
        assertThat(listing(AbortsInBeforeAll.class, SkipsSome.class, RunsAll.class).lines()).containsExactly(
                "[WARNING] Not run here (3), and why:",
                "[WARNING]   SkippedTestsListingTest$AbortsInBeforeAll (the whole class, 2 tests): "
                        + "the daemon is not installed (Debian package 'daemon')",
                "[WARNING]   SkippedTestsListingTest$SkipsSome.needsAFile: no readable /data/trace.csv",
                "[WARNING]   SkippedTestsListingTest$SkipsSome.disabled: disabled: waits for issue 99");
    }

    @Test
    void aRunWhereEveryTestRanPrintsNothing() {
        assertThat(listing(RunsAll.class)).isEmpty();
    }
}
