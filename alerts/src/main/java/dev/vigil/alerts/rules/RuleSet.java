package dev.vigil.alerts.rules;

import dev.vigil.alerts.fleet.Fleet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** The configured rules with their templates parsed once: evaluates all of them over a fleet. */
public final class RuleSet {
    private final Map<String, Compiled> byName = new LinkedHashMap<>();

    public RuleSet(List<Rule> rules) {
        for (Rule rule : rules) {
            byName.put(rule.alert(), new Compiled(rule));
        }
    }

    public Rule rule(String alert) {
        Compiled compiled = byName.get(alert);
        return compiled == null ? null : compiled.rule;
    }

    /** What every rule finds, by rule name (a rule that finds nothing has an empty list). */
    public Map<String, List<Finding>> evaluate(Fleet fleet, Instant now) {
        Map<String, List<Finding>> found = new LinkedHashMap<>();
        for (Compiled compiled : byName.values()) {
            List<Finding> findings = new ArrayList<>();
            for (Candidate candidate : compiled.rule.when().condition().evaluate(fleet, now)) {
                findings.add(compiled.finding(candidate));
            }
            found.put(compiled.rule.alert(), findings);
        }
        return found;
    }

    private static final class Compiled {
        private final Rule rule;
        private final Map<String, Template> annotations = new LinkedHashMap<>();
        private final Template runbook;

        Compiled(Rule rule) {
            this.rule = rule;
            Set<String> names = Rule.templateNames(rule.when().condition(), rule.labels().keySet());
            rule.annotations().forEach((name, text) -> annotations.put(name, Template.parse(text, name, names)));
            runbook = rule.runbook() == null ? null : Template.parse(rule.runbook(), "runbook", names);
        }

        Finding finding(Candidate candidate) {
            SortedMap<String, String> labels = new TreeMap<>(candidate.labels());
            labels.putAll(rule.labels());
            labels.put("alertname", rule.alert());
            labels.put("severity", rule.severity().wire());
            Map<String, String> values = new HashMap<>(candidate.annotations());
            values.putAll(labels);
            values.put("value", Template.number(candidate.value()));
            Map<String, String> rendered = new LinkedHashMap<>(candidate.annotations());
            annotations.forEach((name, template) -> rendered.put(name, template.render(values)));
            if (runbook != null) {
                rendered.put("runbook_url", runbook.render(values));
            }
            return new Finding(rule, labels, rendered, candidate.value());
        }
    }
}
