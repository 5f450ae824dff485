package dev.vigil.controller.rest;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.mig.MigRequest;
import dev.vigil.api.mig.NodeMig;
import dev.vigil.controller.leader.Caller;
import dev.vigil.controller.leader.LeaderClient;
import dev.vigil.controller.leader.Mutation;
import dev.vigil.controller.mig.MigConfigs;
import dev.vigil.controller.mig.MigControl;
import dev.vigil.controller.mig.MigDemand;
import dev.vigil.controller.state.Store;
import dev.vigil.http.ProblemException;
import dev.vigil.http.Request;
import dev.vigil.http.Response;
import dev.vigil.scheduler.mig.LayoutAdvisor;

import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The MIG routes: the named configs, the nodes' layouts as stored (any member reads them), and
 * changes asked of a node or a pool, as mutations on the leader.
 */
final class MigRoutes {
    private static final String POOL_NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";

    private final Supplier<LeaderClient> leader;
    private final Supplier<Store> store;
    private final MigConfigs configs;
    private final LayoutAdvisor.Settings limits;
    private final Map<String, String> poolOf;
    private final Clock clock;
    private final BiFunction<Request, Identity, Caller> caller;

    /**
     * @param limits the {@code mig.auto} limits proposals keep to, shown or applied
     * @param poolOf each node's pool
     */
    MigRoutes(Supplier<LeaderClient> leader, Supplier<Store> store, MigConfigs configs, LayoutAdvisor.Settings limits,
              Map<String, String> poolOf, Clock clock, BiFunction<Request, Identity, Caller> caller) {
        this.leader = leader;
        this.store = store;
        this.configs = configs;
        this.limits = limits;
        this.poolOf = Map.copyOf(poolOf);
        this.clock = clock;
        this.caller = caller;
    }

    /** {@code GET /v1/mig/plan}: the changes that would let waiting work start on idle GPUs. */
    Response plan(Request request, Identity who) {
        Store stored = store.get();
        return Response.json(MigDemand.plan(stored.nodes(), stored.jobs(), poolOf, configs, limits, clock.instant()));
    }

    /** {@code GET /v1/mig/configs}. */
    Response configs(Request request, Identity who) {
        return Response.json(configs.summaries());
    }

    /** {@code GET /v1/mig}: every node with a MIG-capable GPU. */
    Response fleet(Request request, Identity who) {
        return Response.json(store.get().nodes().stream()
                .filter(n -> n.inventory() != null && n.inventory().gpus().stream()
                        .anyMatch(g -> g.mig() != null && g.mig().capable()))
                .sorted(Comparator.comparing(NodeRecord::name)).map(MigControl::view).toList());
    }

    /** {@code GET /v1/nodes/{node}/mig}. */
    Response node(Request request, Identity who) {
        String name = Params.nodeName(request.pathParam("node"));
        return Response.json(MigControl.view(store.get().node(name).orElseThrow(() -> ProblemException.notFound(
                "no node " + name + " (nodes appear when their agent first reports)"))));
    }

    /** {@code PUT /v1/nodes/{node}/mig}. */
    Response setNode(Request request, Identity who) {
        String name = Params.nodeName(request.pathParam("node"));
        MigRequest wanted = request.body(MigRequest.class);
        return Response.json(leader.get().apply(new Mutation.SetMig(name, null, wanted, caller.apply(request, who)),
                NodeMig.class));
    }

    /** {@code PUT /v1/pools/{pool}/mig}: every node of the pool that has a MIG-capable GPU. */
    Response setPool(Request request, Identity who) {
        String pool = request.pathParam("pool");
        if (pool == null || !pool.matches(POOL_NAME)) {
            throw ProblemException.badRequest("pool", pool, "a pool name as the controller's scheduler.pools "
                    + "names it");
        }
        MigRequest wanted = request.body(MigRequest.class);
        return Response.json(leader.get().apply(new Mutation.SetMig(null, pool, wanted, caller.apply(request, who)),
                List.class));
    }
}
