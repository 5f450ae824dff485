package dev.vigil.controller.leader;

import dev.vigil.api.Problem;
import dev.vigil.controller.state.Counters;
import dev.vigil.controller.state.Json;
import org.apache.ignite.Ignite;
import org.apache.ignite.resources.IgniteInstanceResource;
import org.apache.ignite.services.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The leader: an Ignite cluster singleton, so exactly one member of a healthy cluster runs it,
 * and Ignite moves it when that member dies. Members forward mutations to it through
 * {@link LeaderApi}; it hands each to its member's {@link EventLoop}, where the control classes
 * apply them in order, and starts and stops their leading. Without a quorum it neither applies nor
 * sweeps: a member paused past the failure timeout comes back still holding the singleton and must
 * not act as a second leader.
 */
public final class LeaderService implements Service, LeaderApi {
    public static final String NAME = "vigil-leader";
    private static final Logger LOG = LoggerFactory.getLogger(LeaderService.class);
    private static final Duration OPENING = Duration.ofMinutes(2);
    /** How long a mutation may wait for its turn and its application. */
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(10);

    @IgniteInstanceResource
    private transient Ignite ignite;
    /** This member's parts, set by init before any call reaches the service. */
    private transient volatile LocalMembers.Parts parts;
    private transient volatile boolean cancelled;

    /**
     * Ignite may deploy the singleton on a member that is still opening its cluster state (a
     * cluster's first start, a restart of every member): this waits for it, so that the service
     * counts as deployed, and the member as leader, only once it leads.
     */
    @Override
    public void init() throws InterruptedException {
        long deadline = System.nanoTime() + OPENING.toNanos();
        LocalMembers.Parts found = LocalMembers.find(ignite.name());
        while (found == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("member " + ignite.name() + " did not open its cluster state within "
                        + OPENING.toSeconds() + " s");
            }
            Thread.sleep(50);
            found = LocalMembers.find(ignite.name());
        }
        begin(found);
    }

    @Override
    public void execute() throws InterruptedException {
        // The work is the event loop's; this only holds the singleton until Ignite cancels it.
        while (!cancelled) {
            Thread.sleep(100);
        }
    }

    private synchronized void begin(LocalMembers.Parts found) {
        long epoch = new Counters(ignite).incrementAndGet(Counters.LEADER_EPOCH);
        Controls controls = found.controls();
        controls.loop().call("leadership", () -> {
            controls.startLeading();
            return null;
        }, OPENING, why -> {
            throw new IllegalStateException("member " + ignite.name() + " could not start leading: " + why);
        });
        found.leadership().began(epoch);
        parts = found;
        LOG.atInfo().addKeyValue("member", ignite.name()).addKeyValue("epoch", epoch).log("leader_started");
    }

    @Override
    public synchronized void cancel() {
        cancelled = true;
        if (parts != null) {
            // Not waited for: an event still running (its answer about to be lost with this member) must not hold
            // up Ignite's stop; leading again here would queue its start after this stop.
            parts.controls().loop().post("leadership", parts.controls()::stopLeading);
            parts.leadership().ended();
            LOG.atInfo().addKeyValue("member", ignite.name()).log("leader_stopped");
        }
    }

    @Override
    public String apply(String mutationJson) {
        String refusal = parts.member().notActingReason();
        if (refusal != null) {
            return Json.write(noQuorum("refuses writes: " + refusal));
        }
        Mutation mutation = Json.read(mutationJson, Mutation.class);
        Controls controls = parts.controls();
        if (mutation instanceof Mutation.BackendJobEnded ended) {
            return Json.write(controls.hint(ended));
        }
        return Json.write(controls.loop().call(Mutation.kind(mutation), () -> controls.apply(mutation), APPLY_TIMEOUT,
                LeaderService::busy));
    }

    @Override
    public String why(String job) {
        String refusal = parts.member().notActingReason();
        if (refusal != null) {
            return Json.write(noQuorum("does not act: " + refusal));
        }
        Controls controls = parts.controls();
        return Json.write(controls.loop().call("why", () -> controls.why(job), APPLY_TIMEOUT, LeaderService::busy));
    }

    @Override
    public String alerts() {
        String refusal = parts.member().notActingReason();
        if (refusal != null) {
            return Json.write(noQuorum("does not act: " + refusal));
        }
        return Json.write(parts.controls().alerts());
    }

    @Override
    public String runbooks() {
        String refusal = parts.member().notActingReason();
        if (refusal != null) {
            return Json.write(noQuorum("does not act: " + refusal));
        }
        Controls controls = parts.controls();
        return Json.write(controls.loop().call("runbooks", controls::runbooks, APPLY_TIMEOUT, LeaderService::busy));
    }

    private Outcome noQuorum(String why) {
        return Outcomes.problem(Problem.of(503, "no-quorum", "No quorum", "the leader (" + ignite.name() + ") " + why,
                null));
    }

    private static Outcome busy(String why) {
        return Outcomes.problem(Problem.of(503, "unavailable", "Service unavailable", why + ": retry", null));
    }
}
