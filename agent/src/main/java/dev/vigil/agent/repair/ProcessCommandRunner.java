package dev.vigil.agent.repair;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs commands as child processes, their output read in full but kept only up to a bound. */
public final class ProcessCommandRunner implements CommandRunner {
    /** What a command's output may take in memory; the rest is read and dropped. */
    static final int MAX_OUTPUT_BYTES = 256 * 1024;

    @Override
    public CommandResult run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // Nothing to say to it: a program that reads its input sees it end.
        process.getOutputStream().close();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> drain(process.getInputStream(), output), "vigil-command-output");
        reader.setDaemon(true);
        reader.start();
        boolean exited;
        try {
            exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw e;
        }
        if (!exited) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        reader.join(TimeUnit.SECONDS.toMillis(2));
        String text;
        synchronized (output) {
            text = output.toString(StandardCharsets.UTF_8);
        }
        return new CommandResult(exited ? process.exitValue() : -1, text, Duration.ofNanos(System.nanoTime() - start));
    }

    private static void drain(InputStream in, ByteArrayOutputStream output) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                synchronized (output) {
                    int room = MAX_OUTPUT_BYTES - output.size();
                    if (room > 0) {
                        output.write(buffer, 0, Math.min(n, room));
                    }
                }
            }
        } catch (IOException e) {
            // The process was killed: what was read so far is what there is.
        }
    }
}
