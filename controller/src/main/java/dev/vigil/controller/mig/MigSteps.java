package dev.vigil.controller.mig;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.mig.GpuMig;
import dev.vigil.api.mig.GpuMigStatus;
import dev.vigil.api.mig.MigPhase;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The step function of a node's MIG changes: from the node as stored and the time, what each GPU's
 * record becomes, and which jobs must leave a changing GPU. Pure; {@link MigControl} applies it.
 *
 * <p>A changing GPU drains (its preemptible jobs leave at once, the rest until the drain's end, then
 * only with {@code force}); once empty its layout is sent to the agent in the desired state; the
 * agent's word for that version ends it. Every phase but success and failed has a deadline that
 * ends in failed with the reason.
 */
final class MigSteps {
    private MigSteps() {
    }

    /** Jobs to take off a changing GPU now. */
    record Reclaim(int gpu, boolean preemptibleOnly, String why) {
    }

    /** A GPU's record moving from one phase to another. */
    record Transition(int gpu, MigPhase from, MigPhase to, String message) {
    }

    /** The node's records after the step, and what moved. */
    record Step(List<GpuMig> mig, List<Transition> transitions) {
    }

    /**
     * What must leave the node's draining GPUs now: the preemptible jobs at once, every job at the
     * drain's end when the change was forced.
     *
     * @param preemptible whether a job (by id) said it may be preempted
     */
    static List<Reclaim> reclaims(NodeRecord node, Predicate<String> preemptible, Instant now) {
        List<Reclaim> reclaims = new ArrayList<>();
        for (GpuMig mig : node.mig()) {
            if (mig.phase() != MigPhase.DRAINING) {
                continue;
            }
            TreeSet<String> jobs = jobsOn(node, mig.gpu());
            String why = "gpu " + mig.gpu() + " of " + node.name() + " changes MIG layout to " + mig.config();
            if (mig.force() && !now.isBefore(mig.deadline()) && !jobs.isEmpty()) {
                reclaims.add(new Reclaim(mig.gpu(), false, why + " (drain timed out; forced)"));
            } else if (jobs.stream().anyMatch(preemptible)) {
                reclaims.add(new Reclaim(mig.gpu(), true, why));
            }
        }
        return reclaims;
    }

    /** Advances every record of the node by what is known at {@code now}. */
    static Step advance(NodeRecord node, Duration applyTimeout, Instant now) {
        List<GpuMig> next = new ArrayList<>();
        List<Transition> moved = new ArrayList<>();
        for (GpuMig mig : node.mig()) {
            GpuMig stepped = step(node, mig, applyTimeout, now);
            next.add(stepped);
            if (stepped.phase() != mig.phase()) {
                moved.add(new Transition(mig.gpu(), mig.phase(), stepped.phase(), stepped.message()));
            }
        }
        return new Step(next, moved);
    }

    private static GpuMig step(NodeRecord node, GpuMig mig, Duration applyTimeout, Instant now) {
        if (mig.phase() == MigPhase.PENDING) {
            if (node.state() == NodeState.UNKNOWN || node.inventory() == null) {
                return now.isBefore(mig.deadline()) ? mig : mig.in(MigPhase.FAILED, "node " + node.name()
                        + " did not report before " + mig.deadline() + ": the change was not made", now, null);
            }
        }
        GpuMig current = mig.phase() == MigPhase.PENDING
                ? mig.in(MigPhase.DRAINING, "node reporting again", now, mig.deadline()) : mig;
        return switch (current.phase()) {
            case DRAINING -> drain(node, current, applyTimeout, now);
            case APPLYING, RESET_REQUIRED -> applying(node, current, now);
            case SUCCESS -> reported(node, current).filter(s -> s.phase() == MigPhase.FAILED)
                    .map(s -> current.in(MigPhase.FAILED, "the agent could not keep the layout: " + s.message(), now,
                            null))
                    .orElse(current);
            default -> current;
        };
    }

    private static GpuMig drain(NodeRecord node, GpuMig mig, Duration applyTimeout, Instant now) {
        TreeSet<String> jobs = jobsOn(node, mig.gpu());
        boolean foreign = node.foreignGpus().contains(mig.gpu());
        if (jobs.isEmpty() && !foreign) {
            return mig.sent(node.version() + 1, "sent to the agent: " + mig.target().describe(), now,
                    now.plus(applyTimeout));
        }
        String holders = (jobs.isEmpty() ? "" : plural(jobs.size(), "job") + " " + String.join(", ", jobs))
                + (foreign ? (jobs.isEmpty() ? "" : " and ") + "work Vigil did not launch (another user's Slurm job)"
                : "");
        if (now.isBefore(mig.deadline())) {
            String then = foreign ? "then the change fails" : mig.force() ? "then what is left is requeued (--force)"
                    : "then the change fails (--force requeues instead)";
            return withMessage(mig, "waiting for " + holders + " to leave GPU " + mig.gpu() + " until "
                    + mig.deadline() + "; " + then);
        }
        if (mig.force() && !foreign) {
            return withMessage(mig, "drain timed out: requeuing " + holders + " (--force)");
        }
        return mig.in(MigPhase.FAILED, "drain timed out at " + mig.deadline() + ": " + holders + " still on GPU "
                + mig.gpu() + (foreign ? "; the GPU is left as it is"
                : "; set the config again with --force to requeue them, or after they end"), now, null);
    }

    private static GpuMig applying(NodeRecord node, GpuMig mig, Instant now) {
        Optional<GpuMigStatus> status = reported(node, mig);
        if (status.isPresent()) {
            GpuMigStatus said = status.get();
            switch (said.phase()) {
                case SUCCESS -> {
                    // The scheduler takes the GPU's slices from the inventory: success once it shows them.
                    if (inventoryHolds(node, mig)) {
                        return mig.in(MigPhase.SUCCESS, said.message() == null ? "applied: " + mig.target().describe()
                                : said.message(), now, null);
                    }
                    mig = withMessage(mig, "applied by the agent; waiting for its inventory to show it");
                }
                case FAILED -> {
                    return mig.in(MigPhase.FAILED, said.message(), now, null);
                }
                case RESET_REQUIRED -> {
                    if (mig.phase() != MigPhase.RESET_REQUIRED) {
                        return mig.in(MigPhase.RESET_REQUIRED, said.message(), now, mig.deadline());
                    }
                    mig = withMessage(mig, said.message());
                }
                default -> mig = withMessage(mig, said.message());
            }
        }
        if (now.isBefore(mig.deadline())) {
            return mig;
        }
        return mig.in(MigPhase.FAILED, "the agent did not apply the layout by " + mig.deadline()
                + (node.state() == NodeState.UNKNOWN ? " (the node stopped reporting)" : "")
                + (mig.message() == null ? "" : "; last: " + mig.message()), now, null);
    }

    /** Whether the node's inventory shows the GPU in the record's layout. */
    static boolean inventoryHolds(NodeRecord node, GpuMig mig) {
        return node.inventory() != null && node.inventory().gpus().stream().filter(g -> g.index() == mig.gpu())
                .anyMatch(device -> mig.target().heldBy(device.mig()));
    }

    /** The agent's word on this record's version of the layout. */
    private static Optional<GpuMigStatus> reported(NodeRecord node, GpuMig mig) {
        return node.migReported().stream().filter(s -> s.gpu() == mig.gpu() && s.version() == mig.version())
                .findFirst();
    }

    /** The jobs whose allocations on the node hold the GPU or a slice of it. */
    static TreeSet<String> jobsOn(NodeRecord node, int gpu) {
        return node.allocations().stream().filter(a -> a.gpus().contains(gpu)).map(a -> a.job())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static GpuMig withMessage(GpuMig mig, String message) {
        return message == null || message.equals(mig.message()) ? mig
                : new GpuMig(mig.gpu(), mig.config(), mig.enabled(), mig.instances(), mig.phase(), message, mig.since(),
                mig.deadline(), mig.force(), mig.actor(), mig.version());
    }

    private static String plural(int n, String noun) {
        return n == 1 ? noun : noun + "s";
    }
}
