package dev.vigil.alerts.notify;

import dev.vigil.api.binding.InvalidValueException;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A named place notifications go: exactly one of PagerDuty, a webhook, or the log.
 *
 * @param name      what routes call it: letters, digits, '-' and '_'
 * @param pagerduty PagerDuty Events API v2
 * @param webhook   an HTTP endpoint that takes Alertmanager's webhook body (version 4)
 * @param log       one log line per alert notified (the default receiver)
 */
public record Receiver(String name, PagerDutyConfig pagerduty, WebhookConfig webhook, LogConfig log) {
    static final String KINDS = "exactly one of pagerduty, webhook, log";

    public Receiver {
        InvalidValueException.required(name, "name", "the receiver's name, e.g. oncall");
        InvalidValueException.require(name.matches("[A-Za-z0-9_-]{1,64}"), "name", name,
                "letters, digits, '-' and '_', up to 64 characters");
        List<String> given = new ArrayList<>();
        if (pagerduty != null) {
            given.add("pagerduty");
        }
        if (webhook != null) {
            given.add("webhook");
        }
        if (log != null) {
            given.add("log");
        }
        InvalidValueException.require(given.size() == 1, "", given.isEmpty() ? null : String.join(", ", given), KINDS);
    }

    public static Receiver log(String name) {
        return new Receiver(name, null, null, new LogConfig());
    }

    /**
     * PagerDuty Events API v2.
     *
     * @param routingKey      the service's integration key (32 characters); prefer {@code routingKeyFile}
     * @param routingKeyFile  a file holding it, so the secret stays out of the config
     * @param url             the events endpoint (default {@code https://events.pagerduty.com/v2/enqueue})
     * @param eventsPerMinute the most events sent per minute with this key (PagerDuty allows about 120)
     */
    public record PagerDutyConfig(String routingKey, Path routingKeyFile, URI url, Integer eventsPerMinute) {
        public static final URI EVENTS_V2 = URI.create("https://events.pagerduty.com/v2/enqueue");

        public PagerDutyConfig {
            InvalidValueException.require(routingKey == null || routingKeyFile == null, "routingKeyFile",
                    routingKeyFile, "either routingKey or routingKeyFile, not both");
            if (routingKeyFile != null) {
                try {
                    routingKey = Files.readString(routingKeyFile, StandardCharsets.UTF_8).trim();
                } catch (IOException e) {
                    throw new InvalidValueException("routingKeyFile", routingKeyFile,
                            "a readable file holding the integration key (" + e.getClass().getSimpleName() + ")");
                }
            }
            InvalidValueException.require(routingKey != null, "routingKey", null,
                    "the integration key, or routingKeyFile naming a file that holds it");
            InvalidValueException.require(routingKey.matches("[A-Za-z0-9]{32}"),
                    routingKeyFile != null ? "routingKeyFile" : "routingKey",
                    routingKeyFile != null ? routingKeyFile : "(" + routingKey.length() + " characters, not shown)",
                    "a PagerDuty integration key: 32 letters and digits");
            url = url == null ? EVENTS_V2 : url;
            requireHttp(url, "url");
            eventsPerMinute = eventsPerMinute == null ? 120 : eventsPerMinute;
            InvalidValueException.require(eventsPerMinute >= 1 && eventsPerMinute <= 10_000, "eventsPerMinute",
                    eventsPerMinute, "1 to 10000");
        }

        /** Never prints the key. */
        @Override
        public String toString() {
            return "PagerDutyConfig[url=" + url + ", eventsPerMinute=" + eventsPerMinute + "]";
        }
    }

    /**
     * A webhook that takes Alertmanager's webhook body.
     *
     * @param url          where to POST
     * @param sendResolved whether to tell resolved alerts too (default true)
     * @param maxAlerts    the most alerts in one body, the rest counted in {@code truncatedAlerts} (0: all)
     */
    public record WebhookConfig(URI url, Boolean sendResolved, Integer maxAlerts) {
        public WebhookConfig {
            InvalidValueException.required(url, "url", "an http:// or https:// URL");
            requireHttp(url, "url");
            sendResolved = sendResolved == null || sendResolved;
            maxAlerts = maxAlerts == null ? 0 : maxAlerts;
            InvalidValueException.require(maxAlerts >= 0, "maxAlerts", maxAlerts, "0 (all) or more");
        }
    }

    /** One log line per alert notified. */
    public record LogConfig() {
    }

    static void requireHttp(URI url, String field) {
        InvalidValueException.require(url.isAbsolute() && ("http".equals(url.getScheme())
                || "https".equals(url.getScheme())) && url.getHost() != null, field, url, "an http:// or https:// URL");
    }
}
