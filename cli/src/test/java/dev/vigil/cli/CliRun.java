package dev.vigil.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One run of the {@code vigil} command line inside the test's JVM: its exit status and what it printed. */
public record CliRun(int exit, String out, String err) {

    /** Runs {@code vigil ARGS} as the shell would. */
    public static CliRun of(String... args) {
        return execute(Vigil.commandLine(), args);
    }

    /** Runs a command line the test has adjusted first (a shorter poll, a stand-in). */
    public static CliRun execute(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }
}
