package dev.vigil.agent.repair;

import dev.vigil.api.cluster.AgentAction;
import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.api.cluster.AgentActionResult.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Carries out the repairs the controller's desired state asks for: each action id once, however
 * many replies carry it, one at a time on the agent's action thread (never on the reporting
 * thread). It keeps every action's result while the desired state holds the action, and the last
 * {@value #RESULTS_KEPT} others for {@code GET /v1/actions}; a result that changes is told to
 * {@link #onChange} so that the reporter sends it at once.
 */
public final class ActionExecutor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ActionExecutor.class);
    static final int RESULTS_KEPT = 64;
    /** Ids remembered so that none runs twice; far more than a desired state ever holds at once. */
    static final int IDS_KEPT = 4096;

    private final String node;
    private final NodeRepairs repairs;
    private final Clock clock;
    private final ExecutorService worker;
    private final Object lock = new Object();
    private final Map<String, AgentActionResult> results = new LinkedHashMap<>();
    private final Set<String> seen = new LinkedHashSet<>();
    private Set<String> wanted = Set.of();
    private volatile Runnable onChange = () -> { };

    /**
     * @param restored results of actions a previous agent process carried out (a reboot): their ids
     *                 never run again
     */
    public ActionExecutor(String node, NodeRepairs repairs, Clock clock, List<AgentActionResult> restored) {
        this.node = node;
        this.repairs = repairs;
        this.clock = clock;
        for (AgentActionResult result : restored) {
            seen.add(result.id());
            results.put(result.id(), result);
        }
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "vigil-actions-" + node);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Registers the callback run whenever a result changes (the reporter's "report now"). */
    public void onChange(Runnable listener) {
        this.onChange = listener;
    }

    /**
     * The actions of the latest desired state: the new ones are queued, the known ones left alone.
     * Cheap and never blocking: the reporting thread calls it with every reply.
     */
    public void requested(List<AgentAction> actions) {
        Set<String> ids = new LinkedHashSet<>();
        List<AgentAction> fresh = new ArrayList<>();
        synchronized (lock) {
            for (AgentAction action : actions) {
                ids.add(action.id());
                if (seen.add(action.id())) {
                    fresh.add(action);
                    results.put(action.id(), new AgentActionResult(action.id(), action.kind(), State.RUNNING,
                            "queued", null, null, null));
                }
            }
            wanted = ids;
            forgetOld();
        }
        repairs.stillWanted(ids);
        for (AgentAction action : fresh) {
            LOG.atInfo().addKeyValue("node", node).addKeyValue("id", action.id())
                    .addKeyValue("action", describe(action)).log("action_received");
            try {
                worker.execute(() -> run(action));
            } catch (RejectedExecutionException e) {
                // The agent is stopping.
                return;
            }
        }
        if (!fresh.isEmpty()) {
            onChange.run();
        }
    }

    /** The results of the actions the latest desired state holds: what each report carries. */
    public List<AgentActionResult> reported() {
        synchronized (lock) {
            return results.values().stream().filter(r -> wanted.contains(r.id())).toList();
        }
    }

    /** Every result kept, oldest first: {@code GET /v1/actions}. */
    public List<AgentActionResult> all() {
        synchronized (lock) {
            return List.copyOf(results.values());
        }
    }

    private void run(AgentAction action) {
        Instant started = clock.instant();
        long start = System.nanoTime();
        update(new AgentActionResult(action.id(), action.kind(), State.RUNNING, describe(action) + " running", null,
                started, null));
        Outcome outcome;
        try {
            outcome = switch (action.kind()) {
                case GPU_RESET -> repairs.resetGpu(action);
                case REBOOT -> repairs.reboot(action);
                case HEALTH_CHECK -> repairs.healthCheck(action);
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = Outcome.failed(describe(action) + " interrupted: the agent is stopping", null);
        } catch (RuntimeException e) {
            LOG.atError().addKeyValue("node", node).addKeyValue("id", action.id()).setCause(e).log("action_crashed");
            outcome = Outcome.failed(describe(action) + " failed: " + e, null);
        }
        Instant finished = outcome.state().ended() ? clock.instant() : null;
        update(new AgentActionResult(action.id(), action.kind(), outcome.state(), outcome.message(), outcome.output(),
                started, finished));
        repairs.recorded(action);
        LOG.atInfo().addKeyValue("node", node).addKeyValue("id", action.id()).addKeyValue("action", describe(action))
                .addKeyValue("state", outcome.state().name().toLowerCase())
                .addKeyValue("ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                .addKeyValue("message", outcome.message()).log("action_finished");
    }

    private void update(AgentActionResult result) {
        synchronized (lock) {
            results.put(result.id(), result);
        }
        onChange.run();
    }

    /** Drops the oldest ended results no desired state holds any more, and ids long gone. */
    private void forgetOld() {
        Iterator<AgentActionResult> oldest = results.values().iterator();
        while (results.size() > RESULTS_KEPT && oldest.hasNext()) {
            AgentActionResult result = oldest.next();
            if (result.state().ended() && !wanted.contains(result.id())) {
                oldest.remove();
            }
        }
        Iterator<String> ids = seen.iterator();
        while (seen.size() > IDS_KEPT && ids.hasNext()) {
            String id = ids.next();
            if (!results.containsKey(id)) {
                ids.remove();
            }
        }
    }

    /** {@code gpu-reset of gpu 3}, {@code reboot}, {@code health-check level 2 of the node}. */
    static String describe(AgentAction action) {
        return switch (action.kind()) {
            case GPU_RESET -> "gpu-reset of gpu " + action.gpu();
            case REBOOT -> "reboot";
            case HEALTH_CHECK -> "health-check level " + (action.level() == null ? 1 : action.level()) + " of "
                    + (action.gpu() == null ? "the node" : "gpu " + action.gpu());
        };
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
