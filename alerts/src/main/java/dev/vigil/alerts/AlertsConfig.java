package dev.vigil.alerts;

import dev.vigil.alerts.notify.AlertmanagerConfig;
import dev.vigil.alerts.notify.Receiver;
import dev.vigil.alerts.routing.Route;
import dev.vigil.alerts.routing.RouteTree;
import dev.vigil.alerts.rules.Rule;
import dev.vigil.alerts.suppression.InhibitRule;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidValueException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code conf/alerts.yaml}: the rules, where their notifications go (receivers and the routing
 * tree), what mutes what (inhibition), and the Alertmanagers Vigil pushes to. Every key is
 * documented in the shipped file. An unknown key or a bad value stops the controller at start
 * with a message naming the key, the value and what is allowed.
 *
 * @param externalUrl   the controller's URL as people reach it, for links in notifications (optional)
 * @param receivers     where notifications go (default: one {@code log} receiver)
 * @param route         the routing tree (default: everything to the first receiver, Alertmanager's timings)
 * @param inhibitRules  what mutes what (default: an unreachable node mutes its GPUs' alerts); {@code []} for none
 * @param alertmanagers existing Alertmanagers to push alerts to (default: none)
 * @param rules         the alert rules
 */
public record AlertsConfig(String externalUrl, List<Receiver> receivers, Route route, List<InhibitRule> inhibitRules,
                           AlertmanagerConfig alertmanagers, List<Rule> rules) {
    private static final String DEFAULTS = "/dev/vigil/alerts/alerts.yaml";

    public AlertsConfig {
        if (externalUrl != null) {
            URI url;
            try {
                url = URI.create(externalUrl);
            } catch (IllegalArgumentException e) {
                throw new InvalidValueException("externalUrl", externalUrl, "an http:// or https:// URL");
            }
            InvalidValueException.require(url.isAbsolute() && url.getHost() != null
                    && ("http".equals(url.getScheme()) || "https".equals(url.getScheme())), "externalUrl", externalUrl,
                    "an http:// or https:// URL, e.g. https://vigil.example.com");
            externalUrl = externalUrl.replaceAll("/+$", "");
        }
        receivers = receivers == null ? List.of(Receiver.log("log")) : List.copyOf(receivers);
        InvalidValueException.require(!receivers.isEmpty(), "receivers", "[]", "at least one receiver");
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < receivers.size(); i++) {
            InvalidValueException.require(names.add(receivers.get(i).name()), "receivers[" + i + "].name",
                    receivers.get(i).name(), "a name no other receiver has");
        }
        route = route == null ? new Route(receivers.get(0).name(), null, null, null, null, null, null, null) : route;
        new RouteTree(route, names);
        inhibitRules = inhibitRules == null ? List.of(InhibitRule.nodeDownInhibitsItsGpus()) : List.copyOf(inhibitRules);
        alertmanagers = alertmanagers == null ? AlertmanagerConfig.none() : alertmanagers;
        rules = rules == null ? List.of() : List.copyOf(rules);
        Set<String> alerts = new HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            InvalidValueException.require(alerts.add(rules.get(i).alert()), "rules[" + i + "].alert",
                    rules.get(i).alert(), "a name no other rule has");
        }
    }

    /** Reads a config file; errors name the file, the key, the value and what is allowed. */
    public static AlertsConfig load(Path file) {
        return Documents.readYaml(file, AlertsConfig.class);
    }

    public static AlertsConfig parse(String yaml, String source) {
        return Documents.readYaml(yaml, AlertsConfig.class, source);
    }

    /** The rules that ship with Vigil ({@code alerts/conf/alerts.yaml}), for a controller given no file. */
    public static AlertsConfig defaults() {
        try (InputStream in = AlertsConfig.class.getResourceAsStream(DEFAULTS)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULTS + " is missing from the classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in alerts.yaml");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
