package dev.vigil.agent.mig;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.repair.Outcome;
import dev.vigil.agent.sampling.EventLog;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.api.gpu.Severity;
import dev.vigil.api.mig.GpuMigStatus;
import dev.vigil.api.mig.GpuMigTarget;
import dev.vigil.api.mig.MigPhase;
import dev.vigil.api.mig.MigSlot;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.simulated.MigSpec;
import dev.vigil.testsupport.MutableClock;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import dev.vigil.gpu.simulated.Workload;
import dev.vigil.gpu.simulated.WorkloadKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reconciler against simulated GPUs: it brings a GPU to its target and keeps it there, waits for
 * processes, resets a GPU whose mode change needs it (or says reset-required), fails a layout the GPU
 * cannot take and a change that waits too long, never retries a failed target, and finishes a change
 * a killed agent left from its journal.
 */
class MigReconcilerTest {
    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private final EventLog events = new EventLog(1000);
    private final AtomicInteger changes = new AtomicInteger();
    private final List<Integer> resets = new CopyOnWriteArrayList<>();
    private final List<MigReconciler> reconcilers = new ArrayList<>();

    @AfterEach
    void close() {
        reconcilers.forEach(MigReconciler::close);
    }

    private SimulatedNode h100(List<Workload> workloads, List<MigSpec> mig) {
        return new SimulatedNode("n1", new SimulatedSpec(NodeProfile.HGX_H100_8, 1L, workloads, List.of(), mig),
                clock);
    }

    private SimulatedNode a100SlicedOn6() {
        return new SimulatedNode("n1", new SimulatedSpec(NodeProfile.DGX_A100_8, 1L, List.of(), List.of(),
                List.of(new MigSpec(List.of(6), Map.of("1g.10gb", 7)))), clock);
    }

    /** The simulator's reset, counted. */
    private GpuReset resetting(SimulatedNode node) {
        return gpu -> {
            resets.add(gpu);
            node.clearFaults(gpu);
            return Outcome.succeeded("gpu " + gpu + " reset", null);
        };
    }

    private MigReconciler reconciler(GpuBackend backend, GpuReset reset, boolean allowReset, Path state) {
        MigReconciler reconciler = new MigReconciler("n1", backend, reset, MigJournal.in("n1", state), allowReset, TIMEOUT,
                events, clock);
        reconciler.onChange(changes::incrementAndGet);
        reconcilers.add(reconciler);
        reconciler.start();
        return reconciler;
    }

    private MigReconciler reconciler(SimulatedNode node) {
        return reconciler(node, resetting(node), true, dir);
    }

    private static GpuMigTarget target(int gpu, long version, String... slots) {
        List<MigSlot> instances = new ArrayList<>();
        for (String slot : slots) {
            String[] parts = slot.split("@");
            instances.add(new MigSlot(parts[0], Integer.parseInt(parts[1])));
        }
        return new GpuMigTarget(gpu, "test", slots.length > 0, instances, version);
    }

    private static GpuMigTarget sevenSlices(int gpu, long version) {
        return target(gpu, version, "1g.10gb@0", "1g.10gb@1", "1g.10gb@2", "1g.10gb@3", "1g.10gb@4", "1g.10gb@5",
                "1g.10gb@6");
    }

    private static GpuMigStatus status(MigReconciler reconciler, int gpu) {
        return reconciler.statuses().stream().filter(s -> s.gpu() == gpu).findFirst().orElseThrow();
    }

    private static GpuMigStatus awaitPhase(MigReconciler reconciler, int gpu, MigPhase phase) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (status(reconciler, gpu).phase() != phase) {
            assertThat(System.nanoTime()).as("gpu %d never %s; it is %s", gpu, phase, status(reconciler, gpu))
                    .isLessThan(deadline);
            Thread.sleep(5);
        }
        return status(reconciler, gpu);
    }

    /**
     * Waits until the MIG thread has run a whole pass that started after this call: one asked for now
     * may coalesce with one running, so a second round is asked for after the first ends.
     */
    private static void passDone(MigReconciler reconciler) throws Exception {
        for (int round = 0; round < 2; round++) {
            long before = reconciler.passes();
            reconciler.sampled();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (reconciler.passes() == before) {
                assertThat(System.nanoTime()).as("no pass ran").isLessThan(deadline);
                Thread.sleep(2);
            }
        }
    }

    private List<String> eventMessages() {
        return events.since(0, 1000).stream().map(GpuEvent::message).toList();
    }

    @Test
    void aTargetIsAppliedAndReportedAsSuccessWithAnEventPerPhaseChange() throws Exception {
        SimulatedNode node = h100(List.of(), List.of());
        MigReconciler reconciler = reconciler(node);
        reconciler.requested(List.of(sevenSlices(6, 3)));

        GpuMigStatus done = awaitPhase(reconciler, 6, MigPhase.SUCCESS);
        assertThat(done.version()).isEqualTo(3);
        assertThat(done.message()).isEqualTo("MIG on: 7×1g.10gb");
        MigStatus mig = node.inventory().gpus().get(6).mig();
        assertThat(mig.instances()).extracting(MigInstance::start).containsExactly(0, 1, 2, 3, 4, 5, 6);
        assertThat(node.inventory().gpus().get(5).mig().enabled()).as("a GPU without a target is left alone")
                .isFalse();
        assertThat(eventMessages()).containsExactly("mig gpu 6: none -> applying (applying " + sevenSlices(6, 3)
                .describe() + ")", "mig gpu 6: applying -> success (MIG on: 7×1g.10gb)");
        assertThat(events.since(0, 10)).allSatisfy(e -> {
            assertThat(e.kind()).isEqualTo(GpuEvent.Kind.FAULT);
            assertThat(e.severity()).isEqualTo(Severity.INFO);
            assertThat(e.uuid()).isEqualTo(node.inventory().gpus().get(6).uuid());
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (changes.get() < 2) {
            assertThat(System.nanoTime()).as("the reporter is told of each change").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void processesOnTheGpuHoldTheChangeBackNamingThemUntilTheyExit() throws Exception {
        SimulatedNode node = h100(List.of(Workload.of(WorkloadKind.TRAINING, List.of(6))), List.of());
        MigReconciler reconciler = reconciler(node);
        reconciler.requested(List.of(target(6, 1, "7g.80gb@0")));
        long pid = node.processes(6).get(0).pid();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!status(reconciler, 6).message().startsWith("refused")) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(5);
        }
        assertThat(status(reconciler, 6).message()).isEqualTo("refused: pid " + pid + " uses GPU 6; waiting for it "
                + "to exit");
        assertThat(status(reconciler, 6).phase()).isEqualTo(MigPhase.APPLYING);
        assertThat(node.inventory().gpus().get(6).mig().enabled()).isFalse();

        node.stop(6, null);
        reconciler.sampled();
        awaitPhase(reconciler, 6, MigPhase.SUCCESS);
        assertThat(node.inventory().gpus().get(6).mig().instances()).extracting(MigInstance::profile)
                .containsExactly("7g.80gb");
    }

    @Test
    void aChangeWaitingPastTheTimeoutFailsWithWhatItWaitedFor() throws Exception {
        SimulatedNode node = h100(List.of(Workload.of(WorkloadKind.TRAINING, List.of(2))), List.of());
        MigReconciler reconciler = reconciler(node);
        reconciler.requested(List.of(target(2, 1, "7g.80gb@0")));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!status(reconciler, 2).message().startsWith("refused")) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(5);
        }
        clock.advance(TIMEOUT.plusSeconds(1));
        reconciler.sampled();
        GpuMigStatus failed = awaitPhase(reconciler, 2, MigPhase.FAILED);
        assertThat(failed.message()).startsWith("timed out after 5m: refused: pid ").endsWith("waiting for it to exit");
        assertThat(events.since(0, 10)).last().satisfies(e -> assertThat(e.severity()).isEqualTo(Severity.WARNING));
    }

    @Test
    void aLayoutTheGpuCannotTakeFailsAtOnceAndAFailedTargetIsNotTriedAgain() throws Exception {
        ScriptedMigBackend backend = new ScriptedMigBackend(h100(List.of(), List.of()));
        MigReconciler reconciler = reconciler(backend, gpu -> Outcome.failed("no", null), true, dir);
        GpuMigTarget bad = target(1, 4, "3g.40gb@1", "4g.40gb@0");
        reconciler.requested(List.of(bad));
        GpuMigStatus failed = awaitPhase(reconciler, 1, MigPhase.FAILED);
        assertThat(failed.message()).isEqualTo("GPU 1 (NVIDIA H100 80GB HBM3): illegal MIG layout for H100-80GB: "
                + "3g.40gb at slice 1: start must be one of 0, 4; 3g.40gb at 1 and 4g.40gb at 0 overlap on "
                + "memory slices 1-3");

        reconciler.requested(List.of(bad));
        passDone(reconciler);
        assertThat(status(reconciler, 1).phase()).isEqualTo(MigPhase.FAILED);
        assertThat(backend.applied).as("nothing was applied").isEmpty();

        reconciler.requested(List.of(target(1, 5, "4g.40gb@0", "3g.40gb@4")));
        assertThat(awaitPhase(reconciler, 1, MigPhase.SUCCESS).version()).as("a new version is a new change")
                .isEqualTo(5);
    }

    @Test
    void aGpuWithoutMigOrNotOnTheNodeFailsItsTarget() throws Exception {
        SimulatedNode l40s = new SimulatedNode("n1", SimulatedSpec.of(NodeProfile.PCIE_L40S_4, 1L, List.of()), clock);
        MigReconciler reconciler = reconciler(l40s);
        reconciler.requested(List.of(target(1, 1, "1g.10gb@0"), target(9, 1)));
        assertThat(awaitPhase(reconciler, 1, MigPhase.FAILED).message())
                .isEqualTo("GPU 1 (NVIDIA L40S) does not support MIG");
        assertThat(awaitPhase(reconciler, 9, MigPhase.FAILED).message()).isEqualTo("no GPU 9 on this node");
    }

    @Test
    void aSuccessThatDriftsIsAppliedAgain() throws Exception {
        SimulatedNode node = h100(List.of(), List.of());
        MigReconciler reconciler = reconciler(node);
        reconciler.requested(List.of(target(3, 1, "3g.40gb@0", "3g.40gb@4")));
        awaitPhase(reconciler, 3, MigPhase.SUCCESS);

        node.reboot();
        reconciler.sampled();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (node.inventory().gpus().get(3).mig().instances().size() != 2
                || status(reconciler, 3).phase() != MigPhase.SUCCESS) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(5);
        }
        assertThat(eventMessages()).contains("mig gpu 3: success -> applying (GPU 3 shows MIG on, no instances; "
                + "applying MIG on: 3g.40gb@0, 3g.40gb@4 again)").last().asString()
                .isEqualTo("mig gpu 3: applying -> success (MIG on: 2×3g.40gb)");
    }

    @Test
    void aModeChangeThatNeedsAResetGetsOneFromTheAgent() throws Exception {
        SimulatedNode node = a100SlicedOn6();
        MigReconciler reconciler = reconciler(node);
        reconciler.requested(List.of(target(6, 2)));
        GpuMigStatus done = awaitPhase(reconciler, 6, MigPhase.SUCCESS);
        assertThat(done.message()).isEqualTo("MIG off");
        assertThat(resets).containsExactly(6);
        assertThat(node.inventory().gpus().get(6).mig()).isEqualTo(new MigStatus(true, false, List.of()));
    }

    @Test
    void withoutLeaveToResetTheChangeIsResetRequiredUntilSomeoneResetsTheGpu() throws Exception {
        SimulatedNode node = a100SlicedOn6();
        MigReconciler reconciler = reconciler(node, resetting(node), false, dir);
        reconciler.requested(List.of(target(6, 2)));
        GpuMigStatus waiting = awaitPhase(reconciler, 6, MigPhase.RESET_REQUIRED);
        assertThat(waiting.message()).isEqualTo("MIG mode change on GPU 6 needs a GPU reset; mig.allowReset is "
                + "false: reset it (nvidia-smi -r -i 6) or reboot");
        assertThat(resets).isEmpty();

        node.clearFaults(6);
        reconciler.sampled();
        awaitPhase(reconciler, 6, MigPhase.SUCCESS);
    }

    @Test
    void aFailedResetLeavesTheChangeResetRequiredAndTheTimeoutEndsIt() throws Exception {
        SimulatedNode node = a100SlicedOn6();
        MigReconciler reconciler = reconciler(node, gpu -> {
            resets.add(gpu);
            return Outcome.failed("nvidia-smi -r -i 6 exited 255: In use by another client", null);
        }, true, dir);
        reconciler.requested(List.of(target(6, 2)));
        GpuMigStatus waiting = awaitPhase(reconciler, 6, MigPhase.RESET_REQUIRED);
        assertThat(waiting.message()).isEqualTo("MIG mode change on GPU 6 needs a GPU reset; the agent's reset failed "
                + "(nvidia-smi -r -i 6 exited 255: In use by another client): reset it (nvidia-smi -r -i 6) or reboot");
        passDone(reconciler);
        assertThat(resets).as("one reset, not one per sample").containsExactly(6);

        clock.advance(TIMEOUT.plusSeconds(1));
        reconciler.sampled();
        assertThat(awaitPhase(reconciler, 6, MigPhase.FAILED).message()).startsWith("timed out after 5m: MIG mode "
                + "change on GPU 6 needs a GPU reset");
    }

    @Test
    void anAgentKilledInTheMiddleOfAChangeFinishesItFromItsJournalBeforeAnyReply() throws Exception {
        SimulatedNode node = h100(List.of(), List.of(new MigSpec(List.of(6), Map.of("1g.10gb", 7))));
        ScriptedMigBackend backend = new ScriptedMigBackend(node);
        backend.cut = true;
        MigReconciler first = reconciler(backend, resetting(node), true, dir);
        GpuMigTarget whole = target(6, 9, "7g.80gb@0");
        first.requested(List.of(whole));
        assertThat(backend.cutDone.await(10, TimeUnit.SECONDS)).isTrue();
        // What is on disk at the moment of the kill.
        Path killed = Files.createDirectory(dir.resolve("at-kill"));
        Files.copy(dir.resolve(MigJournal.FILE), killed.resolve(MigJournal.FILE));
        first.close();
        JsonNode journal = Documents.json().readTree(killed.resolve(MigJournal.FILE).toFile());
        assertThat(journal.path("applying").asInt()).isEqualTo(6);
        assertThat(journal.path("held").get(0).path("target").path("version").asLong()).isEqualTo(9);
        assertThat(node.inventory().gpus().get(6).mig().instances()).as("the kill left no instances").isEmpty();

        backend.cut = false;
        MigReconciler second = reconciler(backend, resetting(node), true, killed);
        awaitPhase(second, 6, MigPhase.SUCCESS);
        assertThat(node.inventory().gpus().get(6).mig().instances()).extracting(MigInstance::profile)
                .containsExactly("7g.80gb");
        passDone(second);
        JsonNode after = Documents.json().readTree(killed.resolve(MigJournal.FILE).toFile());
        assertThat(after.path("applying").isNull() || after.path("applying").isMissingNode()).as("no change in flight")
                .isTrue();
        assertThat(after.path("held").get(0).path("phase").asText()).isEqualTo("success");
    }

    @Test
    void instancesLostAtARebootAreRecreatedAtStartFromTheJournal() throws Exception {
        SimulatedNode before = h100(List.of(), List.of());
        MigReconciler first = reconciler(before);
        first.requested(List.of(target(4, 1, "4g.40gb@0", "3g.40gb@4")));
        awaitPhase(first, 4, MigPhase.SUCCESS);
        first.close();

        SimulatedNode rebooted = h100(List.of(), List.of());
        MigReconciler second = reconciler(rebooted);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (rebooted.inventory().gpus().get(4).mig().instances().size() != 2
                || status(second, 4).phase() != MigPhase.SUCCESS) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(5);
        }
        assertThat(rebooted.inventory().gpus().get(4).mig().instances()).extracting(MigInstance::profile)
                .containsExactly("4g.40gb", "3g.40gb");
        assertThat(eventMessages()).contains("mig gpu 4: success -> applying (GPU 4 shows MIG off; applying MIG on: "
                + "4g.40gb@0, 3g.40gb@4 again)");
    }

    @Test
    void aJournalThatCannotBeReadOrWrittenDoesNotStopTheChange() throws Exception {
        Files.writeString(dir.resolve(MigJournal.FILE), "{not json");
        SimulatedNode node = h100(List.of(), List.of());
        MigReconciler unreadable = reconciler(node, resetting(node), true, dir);
        assertThat(unreadable.statuses()).as("nothing taken from a broken journal").isEmpty();
        unreadable.close();

        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        MigReconciler unwritable = reconciler(node, resetting(node), true, notADirectory);
        unwritable.requested(List.of(target(0, 1, "7g.80gb@0")));
        awaitPhase(unwritable, 0, MigPhase.SUCCESS);
    }

    @Test
    void aGpuLeftOutOfTheDesiredStateIsNoLongerReportedOrKept() throws Exception {
        SimulatedNode node = h100(List.of(), List.of());
        MigReconciler reconciler = reconciler(node);
        reconciler.requested(List.of(target(0, 1, "7g.80gb@0"), target(1, 1, "7g.80gb@0")));
        awaitPhase(reconciler, 0, MigPhase.SUCCESS);
        awaitPhase(reconciler, 1, MigPhase.SUCCESS);
        reconciler.requested(List.of(target(1, 1, "7g.80gb@0")));
        assertThat(reconciler.statuses()).extracting(GpuMigStatus::gpu).containsExactly(1);
        passDone(reconciler);

        node.reboot();
        reconciler.sampled();
        awaitPhase(reconciler, 1, MigPhase.SUCCESS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (node.inventory().gpus().get(1).mig().instances().isEmpty()) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(5);
        }
        passDone(reconciler);
        assertThat(node.inventory().gpus().get(0).mig().instances()).as("left alone").isEmpty();
    }
}
