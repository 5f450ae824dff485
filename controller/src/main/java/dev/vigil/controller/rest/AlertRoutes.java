package dev.vigil.controller.rest;

import dev.vigil.alerts.AlertView;
import dev.vigil.alerts.inbound.AlertmanagerWebhook;
import dev.vigil.alerts.lifecycle.AlertState;
import dev.vigil.alerts.suppression.SilenceRequest;
import dev.vigil.controller.alerting.AlertsView;
import dev.vigil.controller.alerting.Received;
import dev.vigil.controller.alerting.SilenceView;
import dev.vigil.controller.leader.Caller;
import dev.vigil.controller.leader.LeaderClient;
import dev.vigil.controller.leader.Mutation;
import dev.vigil.http.ProblemException;
import dev.vigil.http.Request;
import dev.vigil.http.Response;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The alerting routes: alerts and silences as the leader's alert engine has them (it keeps them
 * in memory, so every member asks the leader), silences made and expired, and Alertmanager's
 * webhook in. Who may call which is decided where the routes are registered.
 */
final class AlertRoutes {
    private static final String FINGERPRINT = "[0-9a-f]{16}";
    private static final String SILENCE_ID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    private final Supplier<LeaderClient> leader;
    private final BiFunction<Request, Identity, Caller> caller;

    AlertRoutes(Supplier<LeaderClient> leader, BiFunction<Request, Identity, Caller> caller) {
        this.leader = leader;
        this.caller = caller;
    }

    /** {@code GET /v1/alerts}: firing first, then pending, then resolved; with each receiver's state. */
    Response alerts(Request request, Identity who) {
        Set<AlertState> states = states(request.queryParam("state"));
        AlertsView view = leader.get().alerts(AlertsView.class);
        Set<String> severities = severities(request.queryParam("severity"), view.alerts());
        List<AlertView> alerts = view.alerts().stream()
                .filter(a -> states.isEmpty() || states.contains(a.state()))
                .filter(a -> severities.isEmpty() || severities.contains(a.labels().get("severity")))
                .toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("alerts", alerts);
        body.put("notifiers", view.notifiers());
        return Response.json(body);
    }

    /** {@code GET /v1/alerts/{fingerprint}}. */
    Response alert(Request request, Identity who) {
        String fingerprint = request.pathParam("fingerprint");
        if (!fingerprint.matches(FINGERPRINT)) {
            throw ProblemException.badRequest("fingerprint", fingerprint,
                    "an alert's fingerprint: 16 hex digits, as 'vigil alerts' shows it");
        }
        return Response.json(leader.get().alerts(AlertsView.class).alerts().stream()
                .filter(a -> a.fingerprint().equals(fingerprint)).findFirst()
                .orElseThrow(() -> ProblemException.notFound("no alert " + fingerprint
                        + " (resolved alerts are kept 15 minutes)")));
    }

    /** {@code GET /v1/silences}: active, pending, and expired ones for 5 days; newest first. */
    Response silences(Request request, Identity who) {
        return Response.json(Map.of("silences", leader.get().alerts(AlertsView.class).silences()));
    }

    /** {@code POST /v1/silences}: not repeated on a leader change (it would make two silences). */
    Response createSilence(Request request, Identity who) {
        SilenceRequest wanted = request.body(SilenceRequest.class);
        SilenceView created = leader.get().apply(new Mutation.CreateSilence(wanted, caller.apply(request, who)),
                SilenceView.class);
        return Response.json(201, created).header("Location", "/v1/silences/" + created.id());
    }

    /** {@code DELETE /v1/silences/{id}}: ends it now; it is kept, expired, for 5 days. */
    Response expireSilence(Request request, Identity who) {
        String id = request.pathParam("id");
        if (!id.matches(SILENCE_ID)) {
            throw ProblemException.badRequest("id", id, "a silence id as 'vigil silence list' shows it (a UUID)");
        }
        return Response.json(leader.get().apply(new Mutation.ExpireSilence(id, caller.apply(request, who)),
                SilenceView.class));
    }

    /** {@code POST /v1/alertmanager/webhook}: Alertmanager's webhook body, version 4. */
    Response alertmanagerWebhook(Request request, Identity who) {
        AlertmanagerWebhook message = request.body(AlertmanagerWebhook.class);
        return Response.json(leader.get().apply(new Mutation.ReceiveAlerts(message, caller.apply(request, who)),
                Received.class));
    }

    private static Set<AlertState> states(String text) {
        Set<AlertState> states = EnumSet.noneOf(AlertState.class);
        if (text == null) {
            return states;
        }
        for (String name : text.split(",")) {
            states.add(Arrays.stream(AlertState.values()).filter(s -> s.name().equalsIgnoreCase(name.trim()))
                    .findFirst().orElseThrow(() -> ProblemException.badRequest("state", text,
                            "alert states, comma-separated: " + Arrays.stream(AlertState.values())
                                    .map(s -> s.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")))));
        }
        return states;
    }

    /**
     * Severity labels: the shipped rules' four, and any other an alert now carries (one from
     * Alertmanager may carry any); anything else is a typo, refused like a bad state.
     */
    private static Set<String> severities(String text, List<AlertView> alerts) {
        if (text == null) {
            return Set.of();
        }
        Set<String> known = new LinkedHashSet<>(List.of("critical", "error", "warning", "info"));
        alerts.stream().map(a -> a.labels().get("severity")).filter(Objects::nonNull).forEach(known::add);
        Set<String> severities = Arrays.stream(text.split(",", -1)).map(String::trim).collect(Collectors.toSet());
        if (!known.containsAll(severities)) {
            throw ProblemException.badRequest("severity", text, "severities, comma-separated: "
                    + String.join(", ", known));
        }
        return severities;
    }
}
