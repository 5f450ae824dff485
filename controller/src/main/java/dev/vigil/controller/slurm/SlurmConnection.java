package dev.vigil.controller.slurm;

import dev.vigil.slurm.Slurm;
import dev.vigil.slurm.SlurmConfig;
import dev.vigil.slurm.SlurmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's connection to Slurm, made on first use and again after an attempt failed: a
 * controller may start before slurmrestd, and only the leader talks to Slurm at all.
 */
final class SlurmConnection {
    private static final Logger LOG = LoggerFactory.getLogger(SlurmConnection.class);

    private final SlurmConfig config;
    private volatile Slurm slurm;
    private String lastError;

    SlurmConnection(SlurmConfig config) {
        this.config = config;
    }

    /** The connection; connects first if there is none yet. */
    Slurm get() throws SlurmException {
        Slurm current = slurm;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (slurm == null) {
                try {
                    slurm = Slurm.connect(config);
                    lastError = null;
                } catch (SlurmException e) {
                    // Said once per distinct failure, not at every poll.
                    if (!e.getMessage().equals(lastError)) {
                        LOG.atWarn().addKeyValue("url", config.url()).addKeyValue("error", e.getMessage())
                                .log("slurm_unavailable");
                        lastError = e.getMessage();
                    }
                    throw e;
                }
            }
            return slurm;
        }
    }
}
