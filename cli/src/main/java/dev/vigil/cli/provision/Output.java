package dev.vigil.cli.provision;

import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;

/** How a provision command prints: a table for people, or JSON. */
enum Output {
    TABLE, JSON;

    /** One line on stderr, {@code vigil provision CMD: what}, and the exit status to return. */
    static int fail(CommandSpec spec, String message, int exitCode) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(spec.qualifiedName() + ": " + message);
        err.flush();
        return exitCode;
    }
}
