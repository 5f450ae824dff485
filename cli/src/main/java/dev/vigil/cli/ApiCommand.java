package dev.vigil.cli;

import dev.vigil.api.Problem;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.binding.InvalidValueException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * An operator command that talks to the controller's REST API. It finds the controller and the
 * token ({@link ControllerOptions}), runs, and turns what went wrong into one line on stderr,
 * {@code vigil <command>: <what>}, and an exit status:
 * <ul>
 *   <li>0: done;</li>
 *   <li>1: failed: the controller is unreachable, the token is missing or not valid (401), its
 *       role does not allow this (403), the cluster's state refuses it (409), or the controller
 *       failed (5xx);</li>
 *   <li>2: what was typed is wrong: a bad value (400, which names the field), a name that does
 *       not exist (404), or a bad {@code --url} (or one that redirects), {@code VIGIL_URL} or
 *       context file.</li>
 * </ul>
 */
abstract class ApiCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControllerOptions controller;

    /** Does the command's work; output goes to {@code out}. */
    abstract void run(ControllerClient client, PrintWriter out) throws ControllerClient.Failure, Exception;

    @Override
    public final Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ControllerClient client;
        try {
            client = controller.client();
        } catch (InvalidValueException | InvalidDocumentException e) {
            return fail(e.getMessage(), ExitCodes.CONFIG);
        }
        try {
            run(client, out);
            out.flush();
            return ExitCodes.OK;
        } catch (ControllerClient.Failure e) {
            out.flush();
            return fail(e.getMessage() + optionHint(e.problem()), e.exitCode());
        } catch (InterruptedException e) {
            // Ctrl-C in a terminal ends the JVM; an interrupt (an embedding program) ends a --follow quietly.
            out.flush();
            return ExitCodes.OK;
        }
    }

    int fail(String message, int exitCode) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(spec.qualifiedName() + ": " + message);
        err.flush();
        return exitCode;
    }

    /** When the controller names a field this command has an option for, says which option. */
    private String optionHint(Problem problem) {
        if (problem == null || problem.field() == null || problem.field().isEmpty()) {
            return "";
        }
        String name = optionFor(problem.field());
        OptionSpec option = name == null ? null : spec.findOption(name);
        return option == null ? "" : " (" + option.longestName() + ")";
    }

    /** The option that sets a field of the request, when its name is not {@code --field}; null when none did. */
    String optionFor(String field) {
        return "--" + field;
    }

    boolean json() {
        return controller.json();
    }
}
