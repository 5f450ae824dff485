package dev.vigil.controller.leader;

import dev.vigil.api.Problem;
import dev.vigil.controller.cluster.ClusterMember;
import dev.vigil.controller.state.Json;
import dev.vigil.http.ProblemException;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.services.ServiceDescriptor;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * How a member hands a mutation to the leader, wherever it runs. A member without a quorum
 * refuses at once; while leadership moves (a few hundred milliseconds after a member dies) calls
 * are retried until {@link #PATIENCE} runs out. A retry is safe: a mutation carries its request's
 * id, and the leader answers one it already applied from what it stored then.
 */
public final class LeaderClient {
    /** How long a request waits for a leader to appear before it is answered 503. */
    public static final Duration PATIENCE = Duration.ofSeconds(5);
    private static final long CALL_TIMEOUT_MS = 10_000;

    private final ClusterMember member;
    private final Ignite ignite;
    private volatile LeaderApi proxy;

    public LeaderClient(ClusterMember member) {
        this.member = member;
        this.ignite = member.ignite();
    }

    /**
     * Applies {@code mutation} on the leader and returns its answer as {@code type}.
     *
     * @throws ProblemException with the leader's problem, or 503 when there is no leader or quorum
     */
    public <T> T apply(Mutation mutation, Class<T> type) {
        String refusal = member.notActingReason();
        if (refusal != null) {
            throw unavailable("this member (" + member.name() + ") refuses writes: " + refusal);
        }
        String json = Json.write(mutation);
        return call(leader -> leader.apply(json), type);
    }

    /**
     * Why a job waits, as the leader's scheduler sees it (it lives in the leader's memory).
     *
     * @throws ProblemException 404 for an unknown job, 503 without a leader
     */
    public <T> T why(String job, Class<T> type) {
        return call(leader -> leader.why(job), type);
    }

    /**
     * The alerts, silences and notifiers, as the leader's alert engine has them (in its memory).
     *
     * @throws ProblemException 503 without a leader, or while its engine starts
     */
    public <T> T alerts(Class<T> type) {
        return call(LeaderApi::alerts, type);
    }

    /**
     * The runbooks and whether automation may act, as the leader has them.
     *
     * @throws ProblemException 503 without a leader
     */
    public <T> T runbooks(Class<T> type) {
        return call(LeaderApi::runbooks, type);
    }

    private <T> T call(Function<LeaderApi, String> request, Class<T> type) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            String answer;
            try {
                answer = request.apply(proxy());
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw unavailable("no leader answered: " + e.getMessage());
                }
                proxy = null;
                sleep();
                continue;
            }
            Outcome outcome = Json.read(answer, Outcome.class);
            if (outcome.problem() != null && outcome.problem().status() == 503 && System.nanoTime() < deadline) {
                // Leadership is moving (a leader stopping, one still starting): the next may answer.
                sleep();
                continue;
            }
            if (outcome.problem() != null) {
                throw new ProblemException(outcome.problem());
            }
            return Outcomes.value(outcome, type);
        }
    }

    /** The member running the leader service, or null while there is none. */
    public String leader() {
        if (!member.active()) {
            return null;
        }
        for (ServiceDescriptor descriptor : ignite.services().serviceDescriptors()) {
            if (!descriptor.name().equals(LeaderService.NAME)) {
                continue;
            }
            for (Map.Entry<UUID, Integer> entry : descriptor.topologySnapshot().entrySet()) {
                ClusterNode node = entry.getValue() > 0 ? ignite.cluster().node(entry.getKey()) : null;
                if (node != null) {
                    return String.valueOf(node.consistentId());
                }
            }
        }
        return null;
    }

    private LeaderApi proxy() {
        LeaderApi current = proxy;
        if (current == null) {
            current = ignite.services().serviceProxy(LeaderService.NAME, LeaderApi.class, false, CALL_TIMEOUT_MS);
            proxy = current;
        }
        return current;
    }

    private static ProblemException unavailable(String detail) {
        return new ProblemException(Problem.of(503, "unavailable", "Service unavailable", detail, null));
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while waiting for a leader");
        }
    }
}
