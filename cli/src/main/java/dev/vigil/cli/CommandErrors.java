package dev.vigil.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.net.BindException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What {@code vigil} prints when a command cannot run: one line on stderr, {@code vigil CMD: what},
 * never the whole help and never a stack trace (that is logged at debug level:
 * {@code VIGIL_LOG_LEVEL=debug}).
 * <ul>
 *   <li>A bad command line names the option, the value and what is allowed, then where the help
 *       is; exit status 2.</li>
 *   <li>A failure while running: a {@link StartFailure} as it is worded, a port that cannot be
 *       bound with the option that moves it (exit status 4), anything else with its cause (1).</li>
 * </ul>
 */
final class CommandErrors implements CommandLine.IParameterExceptionHandler, CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(name(command) + ": " + describe(e));
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            err.println("  did you mean: " + String.join(", ", unmatched.getSuggestions()) + "?");
        }
        err.println("  see '" + name(command) + " --help'");
        err.flush();
        return ExitCodes.CONFIG;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
        // The logger only now: setting logging up costs a CLI call that logs nothing a third of its start.
        Logger log = LoggerFactory.getLogger(CommandErrors.class);
        log.atDebug().setCause(e).addKeyValue("command", name(command)).log("command_failed");
        String message;
        int exitCode;
        BindException bind = cause(e, BindException.class);
        if (e instanceof StartFailure start) {
            message = start.getMessage();
            exitCode = start.exitCode();
        } else if (bind != null || cause(e, UnresolvedAddressException.class) != null) {
            message = "cannot listen: " + (bind != null ? bind.getMessage() : "the address does not resolve")
                    + " (" + rootMessage(e) + "; change the listen address or port)";
            exitCode = ExitCodes.CANNOT_START;
        } else {
            message = "failed: " + rootMessage(e) + " (VIGIL_LOG_LEVEL=debug logs the stack trace)";
            exitCode = ExitCodes.FAILED;
        }
        command.getErr().println(name(command) + ": " + message);
        command.getErr().flush();
        return exitCode;
    }

    /** {@code --gpu: "nine" is not allowed (allowed: a whole number)}, or picocli's words for the rest. */
    static String describe(ParameterException e) {
        ArgSpec arg = e.getArgSpec();
        String value = e.getValue();
        if (arg != null && value != null && e.getCause() != null) {
            String which = arg instanceof OptionSpec option ? option.longestName() : arg.paramLabel();
            return which + ": \"" + value + "\" is not allowed (allowed: " + allowed(arg) + ")";
        }
        String message = e.getMessage();
        return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }

    /** What a value of the argument's type may be, in words. */
    static String allowed(ArgSpec arg) {
        Class<?> type = arg.type();
        if (type.isEnum()) {
            return Arrays.stream(type.getEnumConstants()).map(c -> c.toString().toLowerCase(Locale.ROOT)
                    .replace('_', '-')).collect(Collectors.joining(", "));
        }
        if (List.of(int.class, Integer.class, long.class, Long.class, short.class, Short.class).contains(type)) {
            return "a whole number";
        }
        if (List.of(double.class, Double.class, float.class, Float.class).contains(type)) {
            return "a number";
        }
        if (type == Path.class) {
            return "a file path";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        return arg.paramLabel();
    }

    private static String name(CommandLine command) {
        return command.getCommandSpec().qualifiedName();
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

    /** The outermost message that says something, with the exception's simple name when none does. */
    private static String rootMessage(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                return cause.getMessage().strip().replaceAll("\\s*\\R\\s*", " ");
            }
        }
        return e.getClass().getSimpleName();
    }
}
