package dev.vigil.k8s;

/**
 * The API server refused a request or could not be reached.
 *
 * @see #status()
 */
public final class KubernetesException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    /** @param status the HTTP status the API server answered, or 0 when it did not answer */
    public KubernetesException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status, or 0 when the server was not reached. */
    public int status() {
        return status;
    }

    /** Whether asking again may succeed: no answer, a conflict, throttling or a server error. */
    public boolean retryable() {
        return status == 0 || status == 409 || status == 429 || status >= 500;
    }
}
