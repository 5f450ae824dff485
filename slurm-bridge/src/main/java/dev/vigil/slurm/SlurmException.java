package dev.vigil.slurm;

/**
 * Slurm refused or failed a request. The message is Slurm's own words (slurmrestd's
 * {@code errors[]}, or a command's stderr) followed by the request that caused them, so it can
 * be shown to a person as is: {@code Invalid partition name specified (request: POST
 * /slurm/v0.0.38/job/submit)}.
 */
public final class SlurmException extends Exception {
    private final String slurmMessage;
    private final String request;
    private final boolean retryable;

    /**
     * @param slurmMessage what Slurm said, or why it could not be asked
     * @param request      the request: method and path, or the command line
     * @param retryable    whether asking again later may work
     */
    public SlurmException(String slurmMessage, String request, boolean retryable) {
        super(slurmMessage + " (request: " + request + ")");
        this.slurmMessage = slurmMessage;
        this.request = request;
        this.retryable = retryable;
    }

    /** What Slurm said, or why it could not be asked. */
    public String slurmMessage() {
        return slurmMessage;
    }

    /** The request: a method and path ({@code POST /slurm/v0.0.38/job/submit}) or a command line. */
    public String request() {
        return request;
    }

    /**
     * Whether asking again later may work: slurmrestd or slurmctld could not be reached, did not
     * answer in time, or said it was busy. False when Slurm understood the request and said no.
     */
    public boolean retryable() {
        return retryable;
    }
}
