package dev.vigil.provisioning.upgrade;

import dev.vigil.provisioning.install.ControllerNodes;
import dev.vigil.provisioning.install.InstallResult;
import dev.vigil.provisioning.ssh.SshTarget;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rollout's plan and its halting rule. */
class RolloutTest {
    private static List<SshTarget> hosts(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> new SshTarget("gpu-" + i, null, "10.0.0." + i, 22)).toList();
    }

    @Test
    void aCanaryThenSharesThenTheLastStepRepeats() {
        assertThat(RolloutPlan.sizes("1,10%,25%", 100)).containsExactly(1, 10, 25, 25, 25, 14);
        assertThat(RolloutPlan.sizes("1,10%,25%", 8)).containsExactly(1, 1, 2, 2, 2);
        assertThat(RolloutPlan.sizes("1,10%,25%", 1)).containsExactly(1);
        assertThat(RolloutPlan.sizes("5", 12)).containsExactly(5, 5, 2);
        assertThat(RolloutPlan.sizes("100%", 7)).containsExactly(7);
    }

    @Test
    void batchesKeepTheHostsOrder() {
        assertThat(RolloutPlan.batches(hosts(4), "1,2")).extracting(b -> b.stream().map(SshTarget::name).toList())
                .containsExactly(List.of("gpu-1"), List.of("gpu-2", "gpu-3"), List.of("gpu-4"));
    }

    @Test
    void badStepsAndMaxFailsAreNamed() {
        assertThatThrownBy(() -> RolloutPlan.sizes("1,0%", 10)).hasMessageStartingWith("--batches step \"0%\"");
        assertThatThrownBy(() -> RolloutPlan.sizes("101%", 10)).hasMessageStartingWith("--batches step \"101%\"");
        assertThatThrownBy(() -> RolloutPlan.sizes("1,x", 10)).hasMessageStartingWith("--batches step \"x\"");
        assertThatThrownBy(() -> RolloutPlan.allowedFailures("-1", 10)).hasMessageStartingWith("--max-fail \"-1\"");
        assertThatThrownBy(() -> RolloutPlan.allowedFailures("101%", 10)).hasMessageStartingWith("--max-fail \"101%\"");
    }

    @Test
    void maxFailIsACountOrAShareOfTheBatchRoundedDown() {
        assertThat(RolloutPlan.allowedFailures("0", 25)).isZero();
        assertThat(RolloutPlan.allowedFailures("2", 25)).isEqualTo(2);
        assertThat(RolloutPlan.allowedFailures("10%", 25)).isEqualTo(2);
        assertThat(RolloutPlan.allowedFailures("10%", 9)).isZero();
        assertThat(RolloutPlan.allowedFailures("100%", 9)).isEqualTo(9);
        assertThat(RolloutPlan.allowedFailures("0%", 9)).isZero();
    }

    /** A controller where drain and resume take effect at once. */
    private static class Controller implements ControllerNodes {
        final Map<String, String> states = new ConcurrentHashMap<>();
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Node node(String name) {
            return new Node(name, states.getOrDefault(name, "ready"), "2.0");
        }

        @Override
        public void drain(String name, String reason) throws IOException {
            calls.add("drain " + name + " (" + reason + ")");
            states.put(name, "drained");
        }

        @Override
        public void resume(String name, String reason) {
            calls.add("resume " + name);
            states.put(name, "ready");
        }
    }

    private static Rollout rollout(Controller controller, Set<String> failing, List<String> upgraded) {
        return new Rollout(controller, target -> {
            upgraded.add(target.name());
            return new InstallResult(target.name(), !failing.contains(target.name()), "ready", "", 1);
        }, true, Duration.ofSeconds(5));
    }

    @Test
    void eachHostsFinalResultIsToldAsItFinishes() throws Exception {
        List<InstallResult> told = Collections.synchronizedList(new ArrayList<>());

        List<Rollout.BatchResult> results = rollout(new Controller(), Set.of("gpu-2"), new ArrayList<>())
                .run(hosts(3), "1,2", "1", "r", told::add);

        assertThat(told).containsExactlyInAnyOrderElementsOf(results.stream().flatMap(b -> b.results().stream()).toList());
        assertThat(told).hasSize(3).filteredOn(r -> !r.ok()).extracting(InstallResult::host).containsExactly("gpu-2");
    }

    @Test
    void eachHostIsDrainedUpgradedAndReturned() throws Exception {
        Controller controller = new Controller();
        List<String> upgraded = Collections.synchronizedList(new ArrayList<>());

        List<Rollout.BatchResult> results = rollout(controller, Set.of(), upgraded)
                .run(hosts(3), "1,2", "0", "upgrade to 2.0", r -> { });

        assertThat(results).extracting(Rollout.BatchResult::halted).containsExactly(false, false);
        assertThat(results).extracting(Rollout.BatchResult::batch).containsExactly(1, 2);
        assertThat(results).extracting(Rollout.BatchResult::failures).containsExactly(0L, 0L);
        assertThat(upgraded).containsExactlyInAnyOrder("gpu-1", "gpu-2", "gpu-3");
        assertThat(controller.calls.subList(0, 2)).containsExactly("drain gpu-1 (upgrade to 2.0)", "resume gpu-1");
        assertThat(controller.states.values()).containsOnly("ready");
    }

    @Test
    void aFailingCanaryHaltsTheRolloutAndLeavesTheRestUntouched() throws Exception {
        Controller controller = new Controller();
        List<String> upgraded = Collections.synchronizedList(new ArrayList<>());

        List<Rollout.BatchResult> results = rollout(controller, Set.of("gpu-1"), upgraded)
                .run(hosts(5), "1,2", "0", "r", r -> { });

        assertThat(results).extracting(Rollout.BatchResult::halted).containsExactly(true, false, false);
        assertThat(results).extracting(Rollout.BatchResult::batch).containsExactly(1, 2, 3);
        assertThat(results.get(1).results()).isEmpty();
        assertThat(upgraded).containsExactly("gpu-1");
        // the failed host stays drained: no work lands on a node whose agent did not come back
        assertThat(controller.states).containsEntry("gpu-1", "drained").doesNotContainKey("gpu-2");
    }

    @Test
    void aBatchHaltsOnlyWhenItsFailuresExceedMaxFail() throws Exception {
        List<String> upgraded = Collections.synchronizedList(new ArrayList<>());

        List<Rollout.BatchResult> within = rollout(new Controller(), Set.of("gpu-2"), upgraded)
                .run(hosts(5), "1,2", "1", "r", r -> { });
        assertThat(within).extracting(Rollout.BatchResult::halted).containsExactly(false, false, false);

        List<Rollout.BatchResult> over = rollout(new Controller(), Set.of("gpu-2", "gpu-3"), upgraded)
                .run(hosts(5), "1,2", "1", "r", r -> { });
        assertThat(over).extracting(Rollout.BatchResult::halted).containsExactly(false, true, false);
        assertThat(over.get(1).failures()).isEqualTo(2);
    }

    @Test
    void aNodeThatDoesNotDrainIsNotUpgradedAndCountsAsAFailure() throws Exception {
        Controller stuck = new Controller() {
            @Override
            public void drain(String name, String reason) {
                states.put(name, "draining");
            }
        };
        List<String> upgraded = Collections.synchronizedList(new ArrayList<>());
        Rollout rollout = new Rollout(stuck, target -> {
            upgraded.add(target.name());
            return new InstallResult(target.name(), true, "ready", "", 1);
        }, true, Duration.ZERO);

        List<Rollout.BatchResult> results = rollout.run(hosts(2), "1", "0", "r", r -> { });

        assertThat(upgraded).isEmpty();
        assertThat(results.get(0).results().get(0)).isEqualTo(new InstallResult("gpu-1", false, "drain",
                "not drained after 0 s (draining) (left draining)", 0));
        assertThat(results).extracting(Rollout.BatchResult::halted).containsExactly(true, false);
    }

    @Test
    void aControllerThatRefusesTheDrainFailsTheHost() throws Exception {
        Controller refusing = new Controller() {
            @Override
            public void drain(String name, String reason) throws IOException {
                throw new IOException("answered 403 Forbidden");
            }
        };

        List<Rollout.BatchResult> results = new Rollout(refusing, t -> {
            throw new AssertionError("not upgraded");
        }, true, Duration.ZERO).run(hosts(1), "1", "0", "r", r -> { });

        assertThat(results.get(0).results().get(0).detail()).isEqualTo("controller: answered 403 Forbidden");
    }
}
