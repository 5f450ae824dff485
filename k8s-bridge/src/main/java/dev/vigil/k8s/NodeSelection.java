package dev.vigil.k8s;

import dev.vigil.api.binding.InvalidValueException;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PodSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The nodes a pod may run on by their labels, as the kubelet checks them when it admits the pod:
 * its {@code nodeSelector} (every label equal) and its required node affinity
 * ({@code requiredDuringSchedulingIgnoredDuringExecution}: any one term whose every expression
 * holds). Vigil places the pod only where both hold, or the kubelet would refuse it. Preferred
 * affinity is a wish, not a rule, and is not read.
 *
 * @param nodeSelector labels the node must have, with these values
 * @param terms        the required affinity's terms, any one of which must hold; empty: no affinity
 */
public record NodeSelection(Map<String, String> nodeSelector, List<List<Requirement>> terms) {
    /** {@code matchFields} name the node itself by this key. */
    static final String NODE_NAME_FIELD = "metadata.name";
    private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt");

    public NodeSelection {
        nodeSelector = Map.copyOf(new TreeMap<>(nodeSelector));
        terms = terms.stream().map(List::copyOf).toList();
    }

    /**
     * One expression of a term.
     *
     * @param key      a node label, or {@value #NODE_NAME_FIELD} for the node's name ({@code matchFields})
     * @param operator In, NotIn, Exists, DoesNotExist, Gt or Lt
     * @param values   what In and NotIn compare to; Gt and Lt one integer
     */
    public record Requirement(String key, String operator, List<String> values) {
        public Requirement {
            values = values == null ? List.of() : List.copyOf(values);
        }

        boolean holds(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (operator) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                case "Gt" -> compares(value) > 0;
                case "Lt" -> compares(value) < 0;
                default -> false;
            };
        }

        /** The label's integer against the one value; 0 (neither Gt nor Lt) when either is not an integer. */
        private int compares(String value) {
            try {
                return Long.compare(Long.parseLong(value), Long.parseLong(values.get(0)));
            } catch (NumberFormatException | NullPointerException | IndexOutOfBoundsException e) {
                return 0;
            }
        }

        @Override
        public String toString() {
            return key + " " + operator + (values.isEmpty() ? "" : " " + values);
        }
    }

    /** What a stored pod template asks of its node, or null when it asks nothing. */
    public static NodeSelection of(String podTemplate) {
        return podTemplate == null ? null : of(Manifests.template(podTemplate).getSpec());
    }

    /** What a pod spec asks of its node, or null when it asks nothing. */
    static NodeSelection of(PodSpec pod) {
        if (pod == null) {
            return null;
        }
        Map<String, String> selector = pod.getNodeSelector() == null ? Map.of() : pod.getNodeSelector();
        List<List<Requirement>> terms = new ArrayList<>();
        if (pod.getAffinity() != null && pod.getAffinity().getNodeAffinity() != null
                && pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
            for (NodeSelectorTerm term : pod.getAffinity().getNodeAffinity()
                    .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms()) {
                List<Requirement> all = new ArrayList<>();
                requirements(term.getMatchExpressions(), false).forEach(all::add);
                requirements(term.getMatchFields(), true).forEach(all::add);
                terms.add(all);
            }
        }
        return selector.isEmpty() && terms.isEmpty() ? null : new NodeSelection(selector, terms);
    }

    private static List<Requirement> requirements(List<NodeSelectorRequirement> expressions, boolean fields) {
        List<Requirement> read = new ArrayList<>();
        for (NodeSelectorRequirement expression : expressions == null ? List.<NodeSelectorRequirement>of()
                : expressions) {
            read.add(new Requirement(fields ? NODE_NAME_FIELD : expression.getKey(), expression.getOperator(),
                    expression.getValues()));
        }
        return read;
    }

    /**
     * Refuses what the kubelet would refuse too: an operator it does not know, In/NotIn without
     * values, Gt/Lt without one integer, a field other than the node's name.
     *
     * @param path where the pod spec is in the manifest, for the message
     */
    static void check(PodSpec pod, String path) {
        if (pod.getAffinity() == null || pod.getAffinity().getNodeAffinity() == null
                || pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return;
        }
        List<NodeSelectorTerm> terms = pod.getAffinity().getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
        String at = path + ".affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
        for (int t = 0; t < terms.size(); t++) {
            List<NodeSelectorRequirement> fields = terms.get(t).getMatchFields() == null ? List.of()
                    : terms.get(t).getMatchFields();
            for (int e = 0; e < fields.size(); e++) {
                InvalidValueException.require(NODE_NAME_FIELD.equals(fields.get(e).getKey()),
                        at + "[" + t + "].matchFields[" + e + "].key", fields.get(e).getKey(), NODE_NAME_FIELD);
            }
            List<NodeSelectorRequirement> all = new ArrayList<>(fields);
            if (terms.get(t).getMatchExpressions() != null) {
                all.addAll(terms.get(t).getMatchExpressions());
            }
            for (NodeSelectorRequirement expression : all) {
                String operator = expression.getOperator();
                int values = expression.getValues() == null ? 0 : expression.getValues().size();
                InvalidValueException.require(OPERATORS.contains(operator), at + "[" + t + "] operator", operator,
                        "In, NotIn, Exists, DoesNotExist, Gt or Lt");
                boolean wantsValues = operator.equals("In") || operator.equals("NotIn");
                boolean wantsOne = operator.equals("Gt") || operator.equals("Lt");
                InvalidValueException.require(!wantsValues || values > 0, at + "[" + t + "] " + expression.getKey()
                        + " " + operator, "no values", "one value or more");
                InvalidValueException.require(!wantsOne || values == 1 && expression.getValues().get(0)
                        .matches("-?\\d{1,18}"), at + "[" + t + "] " + expression.getKey() + " " + operator,
                        expression.getValues(), "one integer");
                InvalidValueException.require(wantsValues || wantsOne || values == 0, at + "[" + t + "] "
                        + expression.getKey() + " " + operator, expression.getValues(), "no values");
            }
        }
    }

    /**
     * Whether a node with these labels may run the pod.
     *
     * @param labels the node's labels
     */
    public boolean matches(String node, Map<String, String> labels) {
        return why(node, labels) == null;
    }

    /** Why a node with these labels may not run the pod, for people; null when it may. */
    public String why(String node, Map<String, String> labels) {
        for (Map.Entry<String, String> wanted : nodeSelector.entrySet()) {
            String has = labels.get(wanted.getKey());
            if (!wanted.getValue().equals(has)) {
                return has == null ? "no label " + wanted.getKey() + " (nodeSelector " + wanted.getKey() + "="
                        + wanted.getValue() + ")" : "label " + wanted.getKey() + "=" + has + " (nodeSelector "
                        + wanted.getKey() + "=" + wanted.getValue() + ")";
            }
        }
        if (terms.isEmpty()) {
            return null;
        }
        Map<String, String> withName = new TreeMap<>(labels);
        withName.put(NODE_NAME_FIELD, node);
        for (List<Requirement> term : terms) {
            if (term.stream().allMatch(r -> r.holds(withName))) {
                return null;
            }
        }
        return "no term of its required node affinity holds (" + describeTerms() + ")";
    }

    /** "nodeSelector gpu=h100; required node affinity (zone In [a, b]) or (...)": for people. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (!nodeSelector.isEmpty()) {
            parts.add("nodeSelector " + String.join(", ", nodeSelector.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).toList()));
        }
        if (!terms.isEmpty()) {
            parts.add("required node affinity " + describeTerms());
        }
        return String.join("; ", parts);
    }

    private String describeTerms() {
        return String.join(" or ", terms.stream().map(term -> "(" + String.join(" and ", term.stream()
                .map(Requirement::toString).toList()) + ")").toList());
    }
}
