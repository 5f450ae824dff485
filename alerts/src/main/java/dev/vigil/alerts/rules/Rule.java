package dev.vigil.alerts.rules;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.vigil.api.binding.InvalidValueException;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One alert rule of {@code conf/alerts.yaml}.
 *
 * @param alert         the alert's name (its {@code alertname} label); unique among the rules
 * @param when          what it looks for
 * @param pendingFor    how long the condition must hold before the alert fires ({@code for}, default 0s)
 * @param keepFiringFor how long a firing alert stays firing after its condition cleared (default 0s)
 * @param severity      critical, error, warning or info (default warning); the {@code severity} label
 * @param labels        more labels, e.g. {@code team: infra}; fixed text
 * @param annotations   text for people, with {@code ${name}} placeholders: {@code summary} and
 *                      {@code description} by convention
 * @param runbook       a link to what to do, also templated; the {@code runbook_url} annotation
 */
public record Rule(String alert, When when, @JsonProperty("for") Duration pendingFor, Duration keepFiringFor,
                   AlertSeverity severity, Map<String, String> labels, Map<String, String> annotations,
                   String runbook) {
    static final String NAME = "[A-Za-z_][A-Za-z0-9_]*";
    /** Labels every alert has, which a rule may not set itself. */
    static final Set<String> RESERVED = Set.of("alertname", "severity");

    public Rule {
        InvalidValueException.required(alert, "alert", "the alert's name, e.g. GpuFellOffTheBus");
        InvalidValueException.require(alert.matches(NAME), "alert", alert,
                "letters, digits and '_', not starting with a digit");
        InvalidValueException.required(when, "when", When.KINDS);
        pendingFor = pendingFor == null ? Duration.ZERO : pendingFor;
        InvalidValueException.require(pendingFor.compareTo(Duration.ofDays(7)) <= 0, "for", pendingFor, "from 0s to 7d");
        keepFiringFor = keepFiringFor == null ? Duration.ZERO : keepFiringFor;
        InvalidValueException.require(keepFiringFor.compareTo(Duration.ofDays(7)) <= 0, "keepFiringFor", keepFiringFor,
                "from 0s to 7d");
        severity = severity == null ? AlertSeverity.WARNING : severity;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        List<String> kindLabels = when.condition().labels();
        for (var label : labels.entrySet()) {
            InvalidValueException.require(label.getKey().matches(NAME), "labels", label.getKey(),
                    "label names of letters, digits and '_'");
            InvalidValueException.require(!RESERVED.contains(label.getKey()) && !kindLabels.contains(label.getKey()),
                    "labels." + label.getKey(), label.getValue(), "a label the rule does not set itself (it sets "
                            + String.join(", ", new TreeSet<>(allLabels(kindLabels))) + ")");
            InvalidValueException.require(label.getValue() != null && !label.getValue().isEmpty(),
                    "labels." + label.getKey(), label.getValue(), "a non-empty value");
        }
        annotations = annotations == null ? Map.of() : new LinkedHashMap<>(annotations);
        Set<String> names = templateNames(when.condition(), labels.keySet());
        for (var annotation : annotations.entrySet()) {
            InvalidValueException.require(annotation.getKey().matches(NAME), "annotations", annotation.getKey(),
                    "annotation names of letters, digits and '_'");
            InvalidValueException.required(annotation.getValue(), "annotations." + annotation.getKey(), "text");
            Template.parse(annotation.getValue(), "annotations." + annotation.getKey(), names);
        }
        annotations = Collections.unmodifiableMap(annotations);
        if (runbook != null) {
            Template.parse(runbook, "runbook", names);
            InvalidValueException.require(runbook.startsWith("https://") || runbook.startsWith("http://"), "runbook",
                    runbook, "an http:// or https:// link");
        }
    }

    /** The names this rule's templates may use: its labels, the kind's facts and {@code value}. */
    static Set<String> templateNames(Condition condition, Set<String> ownLabels) {
        Set<String> names = new TreeSet<>(allLabels(condition.labels()));
        names.addAll(ownLabels);
        names.addAll(condition.facts());
        names.add("value");
        return names;
    }

    private static Set<String> allLabels(List<String> kindLabels) {
        Set<String> all = new TreeSet<>(kindLabels);
        all.addAll(RESERVED);
        return all;
    }
}
