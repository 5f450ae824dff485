package dev.vigil.controller.capacity;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.vigil.api.binding.Documents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.ZoneOffset;

/**
 * Where capacity reports go: {@code capacity-<date>.json} and {@code capacity-<date>.md} in a
 * directory (the date the period ends, UTC), and the JSON POSTed to a webhook when one is
 * configured. A webhook that fails is retried once and then logged, never thrown: the files
 * are written already, and a report is not worth failing the runbook for.
 */
public final class CapacityReports {
    private static final Logger LOG = LoggerFactory.getLogger(CapacityReports.class);
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private final HttpClient http;
    private final Duration timeout;
    private final Duration retryAfter;

    public CapacityReports() {
        this(TIMEOUT, RETRY_AFTER);
    }

    CapacityReports(Duration timeout, Duration retryAfter) {
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.timeout = timeout;
        this.retryAfter = retryAfter;
    }

    /** The two files a report was written to. */
    public record Written(Path json, Path markdown) {
    }

    /** Writes the report into {@code dir} (created if absent), each file whole or not at all. */
    public Written write(CapacityReport report, Path dir) {
        String name = "capacity-" + report.to().atOffset(ZoneOffset.UTC).toLocalDate();
        try {
            Files.createDirectories(dir);
            Path json = replace(dir.resolve(name + ".json"), pretty(report));
            Path markdown = replace(dir.resolve(name + ".md"), CapacityMarkdown.render(report));
            return new Written(json, markdown);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the capacity report to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * POSTs the report's JSON to {@code webhook}; retries once after a failure or a non-2xx answer.
     * Returns whether it was taken.
     */
    public boolean send(CapacityReport report, URI webhook) {
        String where = where(webhook);
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(webhook).timeout(timeout).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Documents.json().writeValueAsString(report))).build();
        } catch (JsonProcessingException | IllegalArgumentException e) {
            LOG.atWarn().addKeyValue("webhook", where).addKeyValue("error", e.getMessage())
                    .log("capacity_report_not_sent");
            return false;
        }
        String failure = null;
        int attempt = 0;
        while (attempt < 2) {
            attempt++;
            try {
                if (attempt == 2) {
                    Thread.sleep(retryAfter.toMillis());
                }
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status / 100 == 2) {
                    LOG.atInfo().addKeyValue("webhook", where).addKeyValue("status", status)
                            .addKeyValue("attempts", attempt).log("capacity_report_sent");
                    return true;
                }
                failure = "status " + status;
            } catch (IOException e) {
                failure = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = "interrupted";
                break;
            }
        }
        LOG.atWarn().addKeyValue("webhook", where).addKeyValue("attempts", attempt).addKeyValue("error", failure)
                .log("capacity_report_not_sent");
        return false;
    }

    /** Scheme, host and port only: a webhook's path, query or user part often holds its secret. */
    static String where(URI webhook) {
        return webhook.getScheme() + "://" + webhook.getHost() + (webhook.getPort() == -1 ? "" : ":" + webhook.getPort());
    }

    private static String pretty(CapacityReport report) throws JsonProcessingException {
        return Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n";
    }

    /** Writes {@code text} beside {@code target} and moves it over: a reader never sees half a report. */
    private static Path replace(Path target, String text) throws IOException {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        Files.writeString(partial, text, StandardCharsets.UTF_8);
        return Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }
}
