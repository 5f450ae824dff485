package dev.vigil.alerts.notify;

import java.time.Duration;

/** How one attempt to deliver went. */
public sealed interface Outcome {

    /** The receiver took it. */
    record Sent(int status) implements Outcome {
    }

    /** It may work later (429, 5xx, no answer): try again after a backoff, or {@code after} when the receiver said. */
    record Retry(String error, Duration after) implements Outcome {
    }

    /** The receiver refused it (400 and other client errors): trying again would get the same answer. */
    record Failed(String error) implements Outcome {
    }
}
