package dev.vigil.alerts.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * POSTs JSON and says what the answer means: 2xx taken; 408, 429 and 5xx, or no answer at all,
 * worth trying again (after Retry-After when the receiver gives one); any other 4xx refused.
 */
final class JsonPost {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private JsonPost() {
    }

    static CompletableFuture<Outcome> send(HttpClient http, URI url, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("User-Agent", "vigil-alerts")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(JsonPost::judge)
                .exceptionally(JsonPost::unanswered);
    }

    static Outcome judge(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return new Outcome.Sent(status);
        }
        String error = "HTTP " + status + shorten(response.body());
        if (status == 408 || status == 429 || status >= 500) {
            Duration after = response.headers().firstValue("Retry-After").map(JsonPost::seconds).orElse(null);
            return new Outcome.Retry(error, after);
        }
        return new Outcome.Failed(error);
    }

    private static Outcome unanswered(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        String what = cause instanceof HttpTimeoutException ? "no answer within " + TIMEOUT.toSeconds() + "s"
                : cause instanceof IOException ? "no answer (" + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")"
                : cause.toString();
        return new Outcome.Retry(what, null);
    }

    private static Duration seconds(String header) {
        try {
            long seconds = Long.parseLong(header.trim());
            return seconds >= 0 ? Duration.ofSeconds(Math.min(seconds, 3600)) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String shorten(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        // One log line per event, parseable as key=value: no line breaks, no double quotes.
        String flat = body.replaceAll("\\s+", " ").replace('"', '\'').trim();
        return ": " + (flat.length() > 300 ? flat.substring(0, 300) + "..." : flat);
    }
}
