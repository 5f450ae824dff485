package dev.vigil.cli.provision;

import dev.vigil.provisioning.install.InstallResult;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A long operation's progress on stderr: a line per host as it finishes, {@code [3/8] gpu-03 ok
 * (ready) 41.2 s}, so that people see it move while the hosts are worked on. Silent for
 * {@code -o json}, whose readers want the answer only. Hosts finish on several threads at once.
 */
final class HostProgress implements Consumer<InstallResult> {
    private final PrintWriter err;
    private final int total;
    private final boolean shown;
    private int finished;

    HostProgress(PrintWriter err, int total, Output output) {
        this.err = err;
        this.total = total;
        this.shown = output != Output.JSON;
    }

    @Override
    public synchronized void accept(InstallResult result) {
        finished++;
        if (!shown) {
            return;
        }
        err.println(String.format(Locale.ROOT, "[%d/%d] %s %s (%s) %.1f s", finished, total, result.host(),
                result.ok() ? "ok" : "failed", result.step(), result.seconds()));
        err.flush();
    }
}
