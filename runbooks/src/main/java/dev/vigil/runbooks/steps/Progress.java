package dev.vigil.runbooks.steps;

/**
 * How a step's attempt stands after a look.
 *
 * @param status   done, failed, or not yet
 * @param output   what it did or found, in words, for the run's record
 * @param actionId the agent action or BMC request the attempt asked for, or null
 */
public record Progress(Status status, String output, String actionId) {
    public enum Status {
        DONE,
        FAILED,
        PENDING
    }

    public static Progress done(String output) {
        return new Progress(Status.DONE, output, null);
    }

    public static Progress failed(String output) {
        return new Progress(Status.FAILED, output, null);
    }

    public static Progress pending(String output) {
        return new Progress(Status.PENDING, output, null);
    }

    /** The same, recording the request it asked for. */
    public Progress asked(String id) {
        return new Progress(status, output, id);
    }
}
