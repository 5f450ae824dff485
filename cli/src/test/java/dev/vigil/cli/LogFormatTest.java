package dev.vigil.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped conf/logback.xml: one event per line, whatever the event carries. */
class LogFormatTest {
    private static String logged(java.util.function.Consumer<Logger> log) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = System.err;
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(Path.of("src/dist/conf/logback.xml").toFile());
            log.accept(context.getLogger("dev.vigil.Test"));
        } finally {
            context.stop();
            System.setErr(err);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aStackTraceIsFoldedIntoItsEventsLine() throws Exception {
        String line = logged(log -> log.atError().addKeyValue("node", "gpu-7")
                .setCause(new UncheckedIOException("cannot write", new IOException("disk full")))
                .log("state_write_failed"));
        assertThat(line.lines()).hasSize(1);
        assertThat(line).contains("level=ERROR logger=Test event=state_write_failed node=\"gpu-7\" exception=\"")
                .contains("java.io.UncheckedIOException: cannot write | at dev.vigil.cli.LogFormatTest")
                .contains("Caused by: java.io.IOException: disk full").endsWith("\"\n");
    }

    @Test
    void aMessageWithLineBreaksIsOneLineAndAnEventWithoutAnExceptionHasNone() throws Exception {
        String line = logged(log -> log.atWarn().log("Initial heap size is small\n  use -Xms512m\n"));
        assertThat(line.lines()).hasSize(1);
        assertThat(line).contains("event=Initial heap size is small | use -Xms512m \n").doesNotContain("exception=");
    }
}
