package dev.vigil.agent.report;

import dev.vigil.api.Problem;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.cluster.DesiredState;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.http.HttpServer;
import dev.vigil.http.Request;
import dev.vigil.http.Response;
import dev.vigil.http.Router;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A controller member for tests, on the project's own HTTP server: it answers
 * {@code POST /v1/agents/{node}/report} the way the real controller does (bearer token, inventory
 * kept by hash and asked for when unknown, agent events acknowledged by sequence number and
 * reset by a new agent id) with a desired state the test sets, or with a problem the test
 * scripts. It records every report it gets, refused ones included.
 */
final class FakeController implements AutoCloseable {
    /** One request as the fake saw it. */
    record Received(String node, String authorization, AgentReport report, int status, long nanoTime) {
    }

    private final String token;
    private final HttpServer server;
    final List<Received> received = new CopyOnWriteArrayList<>();
    /** Events stored, in the order the fake took them. */
    final List<GpuEvent> stored = new CopyOnWriteArrayList<>();

    volatile DesiredState desired = new DesiredState(1, false, false, List.of(), false, 0, List.of());
    /** When set, every report is answered with this problem status instead. */
    volatile int failWith;
    /** When false, the fake stores nothing and acknowledges no event (lastEventSeq 0). */
    volatile boolean ackEvents = true;

    private String inventoryHash;
    private String agentId;
    private long lastEventSeq;
    private final AtomicBoolean closed = new AtomicBoolean();

    private FakeController(String token, int port) {
        this.token = token;
        this.server = HttpServer.serving(new Router().post("/v1/agents/{node}/report", this::report))
                .maxBodyBytes(4 << 20).start(new InetSocketAddress("127.0.0.1", port));
    }

    static FakeController start(String token) {
        return new FakeController(token, 0);
    }

    /** On a given port: a member that comes up where the agent already looks for one. */
    static FakeController start(String token, int port) {
        return new FakeController(token, port);
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    int port() {
        return server.port();
    }

    /** Forgets the inventory, as a controller that lost it would: the next answer asks for it. */
    synchronized void forgetInventory() {
        inventoryHash = null;
    }

    List<AgentReport> reports() {
        return received.stream().filter(r -> r.status() == 200).map(Received::report).toList();
    }

    private synchronized Response report(Request request) {
        String auth = request.header("Authorization");
        if (!("Bearer " + token).equals(auth)) {
            received.add(new Received(request.pathParam("node"), auth, null, 401, System.nanoTime()));
            return Response.problem(Problem.of(401, "unauthorized", "Unauthorized",
                    "the API token is not valid (revoked, mistyped, or from another cluster)", request.path()));
        }
        AgentReport report = request.body(AgentReport.class);
        int fail = failWith;
        if (fail != 0) {
            received.add(new Received(request.pathParam("node"), auth, report, fail, System.nanoTime()));
            return Response.problem(Problem.of(fail, "scripted", "Scripted", "scripted failure " + fail,
                    request.path()));
        }
        received.add(new Received(request.pathParam("node"), auth, report, 200, System.nanoTime()));
        if (report.inventory() != null) {
            inventoryHash = report.inventoryHash();
        }
        boolean needInventory = !report.inventoryHash().equals(inventoryHash);
        if (!report.agentId().equals(agentId)) {
            agentId = report.agentId();
            lastEventSeq = 0;
        }
        if (ackEvents) {
            for (GpuEvent event : report.events()) {
                if (event.seq() > lastEventSeq) {
                    stored.add(event);
                    lastEventSeq = event.seq();
                }
            }
        }
        DesiredState d = desired;
        return Response.json(new DesiredState(d.version(), d.cordoned(), d.drain(), new ArrayList<>(d.cordonedGpus()),
                needInventory, ackEvents ? lastEventSeq : 0, d.allocations(), d.actions(), d.mig(),
                d.placement()));
    }

    /**
     * Stops answering; connections to its port are refused from then on. Closing twice is fine. Not
     * synchronized: closing waits for the server's event loop, which may be in {@link #report}.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.close();
        }
    }
}
