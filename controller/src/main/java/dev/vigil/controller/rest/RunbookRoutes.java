package dev.vigil.controller.rest;

import dev.vigil.api.cluster.ReasonRequest;
import dev.vigil.api.runbooks.RunRecord;
import dev.vigil.api.runbooks.RunRequest;
import dev.vigil.api.runbooks.RunState;
import dev.vigil.api.runbooks.AutomationStatus;
import dev.vigil.controller.leader.Caller;
import dev.vigil.controller.leader.LeaderClient;
import dev.vigil.controller.leader.Mutation;
import dev.vigil.controller.runbooks.RunbooksView;
import dev.vigil.controller.state.Store;
import dev.vigil.http.ProblemException;
import dev.vigil.http.QueryParams;
import dev.vigil.http.Request;
import dev.vigil.http.Response;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The runbook routes: the runbooks and the breaker as the leader has them (its memory), runs as
 * stored (any member reads them), and runs started, approved and aborted, automation resumed and
 * the files reloaded, all as mutations on the leader. Who may call which is decided where the
 * routes are registered.
 */
final class RunbookRoutes {
    private static final String RUNBOOK_NAME = "[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?";

    private final Supplier<LeaderClient> leader;
    private final Supplier<Store> store;
    private final BiFunction<Request, Identity, Caller> caller;

    RunbookRoutes(Supplier<LeaderClient> leader, Supplier<Store> store, BiFunction<Request, Identity, Caller> caller) {
        this.leader = leader;
        this.store = store;
        this.caller = caller;
    }

    /** {@code GET /v1/runbooks}. */
    Response runbooks(Request request, Identity who) {
        return Response.json(leader.get().runbooks(RunbooksView.class).runbooks());
    }

    /** {@code GET /v1/runbooks/automation}: whether the breaker lets runbooks act, with the guards' numbers. */
    Response automation(Request request, Identity who) {
        return Response.json(leader.get().runbooks(RunbooksView.class).automation());
    }

    /** {@code POST /v1/runbooks/{name}/runs}. */
    Response start(Request request, Identity who) {
        String name = runbookName(request.pathParam("name"));
        RunRequest wanted = request.body(RunRequest.class);
        RunRecord run = leader.get().apply(new Mutation.StartRun(name, wanted, caller.apply(request, who)),
                RunRecord.class);
        return Response.json(201, run).header("Location", "/v1/runs/" + run.id());
    }

    /** {@code POST /v1/runbooks/reload}. */
    Response reload(Request request, Identity who) {
        ReasonRequest reason = request.body(ReasonRequest.class);
        return Response.json(leader.get().apply(new Mutation.ReloadRunbooks(reason.reason(), caller.apply(request, who)),
                List.class));
    }

    /** {@code POST /v1/runbooks/resume}: only an operator lets automation act again after the breaker tripped. */
    Response resume(Request request, Identity who) {
        ReasonRequest reason = request.body(ReasonRequest.class);
        return Response.json(leader.get().apply(new Mutation.ResumeAutomation(reason.reason(),
                caller.apply(request, who)), AutomationStatus.class));
    }

    /** {@code GET /v1/runs?state=&runbook=&node=}: newest first. */
    Response runs(Request request, Identity who) {
        Set<RunState> states = states(request.queryParam("state"));
        String runbook = request.queryParam("runbook");
        String node = request.queryParam("node") == null ? null : Params.nodeName(request.queryParam("node"));
        int limit = (int) QueryParams.wholeNumber(request, "limit", 100, 1, 10_000);
        return Response.json(store.get().runs().stream()
                .filter(r -> states.isEmpty() || states.contains(r.state()))
                .filter(r -> runbook == null || runbook.equals(r.runbook()))
                .filter(r -> node == null || r.target() != null && node.equals(r.target().node()))
                .limit(limit).toList());
    }

    /** {@code GET /v1/runs/{id}}: every step with its times, attempts and output. */
    Response run(Request request, Identity who) {
        String id = runId(request.pathParam("id"));
        return Response.json(store.get().run(id).orElseThrow(() -> ProblemException.notFound("no run " + id)));
    }

    /** {@code POST /v1/runs/{id}/approve}. */
    Response approve(Request request, Identity who) {
        String id = runId(request.pathParam("id"));
        ReasonRequest reason = request.body(ReasonRequest.class);
        return Response.json(leader.get().apply(new Mutation.ApproveRun(id, reason.reason(), caller.apply(request, who)),
                RunRecord.class));
    }

    /** {@code POST /v1/runs/{id}/abort}. */
    Response abort(Request request, Identity who) {
        String id = runId(request.pathParam("id"));
        ReasonRequest reason = request.body(ReasonRequest.class);
        return Response.json(leader.get().apply(new Mutation.AbortRun(id, reason.reason(), caller.apply(request, who)),
                RunRecord.class));
    }

    private static String runbookName(String name) {
        if (name == null || !name.matches(RUNBOOK_NAME)) {
            throw ProblemException.badRequest("name", name, "a runbook's name as 'vigil runbooks' lists it, e.g. "
                    + "gpu-fallen-off-bus");
        }
        return name;
    }

    private static String runId(String id) {
        if (id == null || !id.matches("run-\\d{1,18}")) {
            throw ProblemException.badRequest("id", id, "a run id as 'vigil runs' shows it, e.g. run-12");
        }
        return id;
    }

    private static Set<RunState> states(String text) {
        Set<RunState> states = EnumSet.noneOf(RunState.class);
        if (text == null) {
            return states;
        }
        for (String name : text.split(",")) {
            states.add(Arrays.stream(RunState.values())
                    .filter(s -> s.name().replace('_', '-').equalsIgnoreCase(name.trim()))
                    .findFirst().orElseThrow(() -> ProblemException.badRequest("state", text,
                            "run states, comma-separated: " + Arrays.stream(RunState.values())
                                    .map(s -> s.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                                    .collect(Collectors.joining(", ")))));
        }
        return states;
    }
}
