package dev.vigil.controller.leader;

import dev.vigil.api.Problem;
import dev.vigil.controller.state.Counters;
import org.apache.ignite.Ignite;
import org.apache.ignite.resources.IgniteInstanceResource;
import org.apache.ignite.services.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The leader: an Ignite cluster singleton, so exactly one member of a healthy cluster runs it,
 * and Ignite moves it when that member dies. It applies every mutation (members forward them
 * through {@link LeaderApi}) and runs the loops that must run once: silent nodes become unknown,
 * old log entries are dropped, jobs are scheduled and alerts evaluated (by the scheduler loop and the
 * alert loop it starts and stops). Without a quorum it neither applies nor loops: a member paused past
 * the failure timeout comes back still holding the singleton and must not act as a second leader.
 */
public final class LeaderService implements Service, LeaderApi {
    public static final String NAME = "vigil-leader";
    private static final Logger LOG = LoggerFactory.getLogger(LeaderService.class);
    private static final Duration TICK = Duration.ofMillis(500);
    private static final Duration TRIM_EVERY = Duration.ofMinutes(1);
    private static final Duration OPENING = Duration.ofMinutes(2);

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
        long lastTrim = 0;
        while (!cancelled) {
            try {
                if (parts.member().notActingReason() == null) {
                    parts.applier().expireSilentNodes();
                    if (System.nanoTime() - lastTrim > TRIM_EVERY.toNanos()) {
                        parts.applier().trimLogs();
                        lastTrim = System.nanoTime();
                    }
                }
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("member", ignite.name()).addKeyValue("error", e.toString())
                        .log("leader_loop_failed");
            }
            Thread.sleep(TICK.toMillis());
        }
    }

    private synchronized void begin(LocalMembers.Parts found) {
        long epoch = new Counters(ignite).incrementAndGet(Counters.LEADER_EPOCH);
        found.applier().startLeading();
        found.bootstrap().ensureTokens();
        found.jobs().startLeading();
        found.alerting().startLeading();
        found.leadership().began(epoch);
        parts = found;
        LOG.atInfo().addKeyValue("member", ignite.name()).addKeyValue("epoch", epoch).log("leader_started");
    }

    @Override
    public synchronized void cancel() {
        cancelled = true;
        if (parts != null) {
            parts.jobs().stopLeading();
            parts.alerting().stopLeading();
            parts.leadership().ended();
            LOG.atInfo().addKeyValue("member", ignite.name()).log("leader_stopped");
        }
    }

    @Override
    public String apply(String mutationJson) {
        String refusal = parts.member().notActingReason();
        if (refusal != null) {
            return Outcomes.write(Outcomes.problem(Problem.of(503, "no-quorum", "No quorum", "the leader ("
                    + ignite.name() + ") refuses writes: " + refusal, null)));
        }
        Mutation mutation = Outcomes.read(mutationJson, Mutation.class);
        if (mutation instanceof Mutation.JobMutation job) {
            return Outcomes.write(parts.jobs().apply(job));
        }
        if (mutation instanceof Mutation.AlertMutation alert) {
            return Outcomes.write(parts.alerting().apply(alert));
        }
        return Outcomes.write(parts.applier().apply(mutation));
    }

    @Override
    public String why(String job) {
        String refusal = parts.member().notActingReason();
        if (refusal != null) {
            return Outcomes.write(Outcomes.problem(Problem.of(503, "no-quorum", "No quorum", "the leader ("
                    + ignite.name() + ") does not act: " + refusal, null)));
        }
        return Outcomes.write(parts.jobs().why(job));
    }

    @Override
    public String alerts() {
        String refusal = parts.member().notActingReason();
        if (refusal != null) {
            return Outcomes.write(Outcomes.problem(Problem.of(503, "no-quorum", "No quorum", "the leader ("
                    + ignite.name() + ") does not act: " + refusal, null)));
        }
        return Outcomes.write(parts.alerting().view());
    }
}
