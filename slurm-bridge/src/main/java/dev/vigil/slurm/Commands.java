package dev.vigil.slurm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs the Slurm commands ({@code sbatch}, {@code scontrol}) on this host for what slurmrestd
 * cannot do. Each runs with a small, explicit environment (so a {@code SLURM_JWT} of this
 * process cannot switch it to JWT auth, and a job gets only the environment it asked for), and
 * is killed after the configured timeout.
 */
final class Commands {
    private final Map<String, String> environment;
    private final Duration timeout;

    Commands(Map<String, String> environment, Duration timeout) {
        this.environment = environment;
        this.timeout = timeout;
    }

    /**
     * Runs {@code argv} with {@code stdin} (or nothing) as input and returns its stdout. A command
     * that exits non-zero throws with its stderr, Slurm's own words, and the command line.
     *
     * @param jobEnvironment the whole environment for a command that passes it on (sbatch), or
     *                       null for the host's PATH only
     */
    String run(List<String> argv, String stdin, Map<String, String> jobEnvironment) throws SlurmException {
        String request = commandLine(argv) + (stdin == null ? "" : " <script on stdin>");
        ProcessBuilder builder = new ProcessBuilder(argv);
        Map<String, String> env = builder.environment();
        env.clear();
        if (jobEnvironment != null) {
            env.putAll(jobEnvironment);
        } else if (System.getenv("PATH") != null) {
            env.put("PATH", System.getenv("PATH"));
        }
        env.putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new SlurmException("cannot run " + argv.get(0) + ": " + e.getMessage()
                    + " (are the Slurm client commands installed on this host?)", request, false);
        }
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // The command exited without reading its input; its exit status and stderr say why.
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new SlurmException(argv.get(0) + " did not finish within " + timeout.toSeconds() + " s",
                        request, true);
            }
            String stderr = err.get().strip();
            if (process.exitValue() != 0) {
                String message = stderr.isEmpty() ? argv.get(0) + " exited with status " + process.exitValue() : stderr;
                boolean retryable = stderr.contains("Unable to contact slurm controller")
                        || stderr.contains("Socket timed out");
                throw new SlurmException(message.replace('\n', ' '), request, retryable);
            }
            return out.get();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SlurmException("interrupted while " + argv.get(0) + " ran", request, true);
        } catch (ExecutionException e) {
            throw new SlurmException("cannot read the output of " + argv.get(0) + ": " + e.getCause(), request, true);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    /** The command as a person would type it, quoted where the shell would need it. */
    static String commandLine(List<String> argv) {
        return argv.stream().map(Commands::quote).collect(Collectors.joining(" "));
    }

    private static String quote(String arg) {
        if (arg.matches("[A-Za-z0-9_./=:,@%+-]+")) {
            return arg;
        }
        int equals = arg.indexOf('=');
        if (arg.startsWith("-") || (equals > 0 && arg.substring(0, equals).matches("[A-Za-z_-]+"))) {
            // --comment=a b  ->  --comment='a b', reason=x y -> reason='x y': how people write them
            return arg.substring(0, equals + 1) + "'" + arg.substring(equals + 1).replace("'", "'\\''") + "'";
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }
}
