package dev.vigil.provisioning.upgrade;

import dev.vigil.provisioning.Fleet;
import dev.vigil.provisioning.install.ControllerNodes;
import dev.vigil.provisioning.install.InstallResult;
import dev.vigil.provisioning.ssh.SshTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A rolling upgrade: batch after batch (the first the canary), each host drained through the
 * controller, upgraded, and returned once its agent reports the new version; a batch whose failures
 * exceed what {@code --max-fail} allows halts the rollout and the hosts after it are left as they are.
 */
public final class Rollout {
    private static final Logger LOG = LoggerFactory.getLogger(Rollout.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final ControllerNodes controller;
    private final Function<SshTarget, InstallResult> upgrade;
    private final boolean drain;
    private final Duration drainTimeout;

    /**
     * @param upgrade      upgrades one host and says whether its agent came back with the new version
     * @param drain        drain each node before and return it after (off: upgrade in place)
     * @param drainTimeout how long a node may take to drain
     */
    public Rollout(ControllerNodes controller, Function<SshTarget, InstallResult> upgrade, boolean drain,
                   Duration drainTimeout) {
        this.controller = controller;
        this.upgrade = upgrade;
        this.drain = drain;
        this.drainTimeout = drainTimeout;
    }

    /** What happened to each batch; a halted rollout lists the batches it left untouched as not run. */
    public record BatchResult(int batch, List<String> hosts, List<InstallResult> results, boolean halted) {
        public long failures() {
            return results.stream().filter(r -> !r.ok()).count();
        }
    }

    /** @param finished told each host's result as it finishes (drained, upgraded and returned, or failed) */
    public List<BatchResult> run(List<SshTarget> targets, String batches, String maxFail, String reason,
                                 Consumer<InstallResult> finished) throws InterruptedException {
        List<List<SshTarget>> plan = RolloutPlan.batches(targets, batches);
        List<BatchResult> done = new ArrayList<>();
        boolean halted = false;
        for (int i = 0; i < plan.size(); i++) {
            List<SshTarget> batch = plan.get(i);
            List<String> names = batch.stream().map(SshTarget::name).toList();
            if (halted) {
                done.add(new BatchResult(i + 1, names, List.of(), false));
                continue;
            }
            List<InstallResult> results = Fleet.map(batch, batch.size(), target -> {
                InstallResult result = one(target, reason);
                finished.accept(result);
                return result;
            });
            long failures = results.stream().filter(r -> !r.ok()).count();
            halted = failures > RolloutPlan.allowedFailures(maxFail, batch.size());
            LOG.atInfo().addKeyValue("batch", i + 1).addKeyValue("hosts", batch.size()).addKeyValue("failures", failures)
                    .addKeyValue("halted", halted).log("upgrade_batch_done");
            done.add(new BatchResult(i + 1, names, results, halted));
        }
        return done;
    }

    private InstallResult one(SshTarget target, String reason) {
        try {
            if (drain) {
                controller.drain(target.name(), reason);
                String why = await(target.name(), "drained", drainTimeout);
                if (why != null) {
                    return new InstallResult(target.name(), false, "drain", why + " (left draining)", 0);
                }
            }
            InstallResult upgraded = upgrade.apply(target);
            if (!upgraded.ok() || !drain) {
                return upgraded;
            }
            controller.resume(target.name(), reason);
            String why = await(target.name(), "ready", drainTimeout);
            return why == null ? upgraded : new InstallResult(target.name(), false, "resume", why, upgraded.seconds());
        } catch (IOException e) {
            return new InstallResult(target.name(), false, "drain", "controller: " + e.getMessage(), 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new InstallResult(target.name(), false, "drain", "interrupted", 0);
        }
    }

    /** Null once the controller shows the node in {@code state}; else why not. */
    private String await(String node, String state, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ControllerNodes.Node seen = controller.node(node);
        while (seen == null || !state.equals(seen.state())) {
            if (System.nanoTime() > deadline) {
                return "not " + state + " after " + timeout.toSeconds() + " s (" + (seen == null ? "unknown to the controller"
                        : seen.state()) + ")";
            }
            Thread.sleep(POLL.toMillis());
            seen = controller.node(node);
        }
        return null;
    }
}
