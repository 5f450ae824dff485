package dev.vigil.controller.config;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.placement.PlacementAction;
import dev.vigil.api.placement.PlacementPolicy;
import dev.vigil.http.ConnectionLimits;
import dev.vigil.scheduler.topology.Fabric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ControllerConfigTest {
    private static ControllerConfig read(String yaml) {
        return Documents.readYaml(yaml, ControllerConfig.class, "controller.yaml");
    }

    private static String error(String yaml) {
        try {
            read(yaml);
        } catch (InvalidDocumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + yaml);
    }

    @Test
    void connectionLimitsBindAndDefaultToAShareOfTheOpenFileLimit() {
        ControllerConfig config = read("connections: {max: 100, perClient: 10, idleTimeout: 30s}");
        assertThat(config.connections()).isEqualTo(new ConnectionLimits(100, 10, Duration.ofSeconds(30)));
        assertThat(read("").connections()).isEqualTo(ConnectionLimits.defaults());
        assertThat(error("connections: {max: -1}")).startsWith("controller.yaml: connections.max: \"-1\" is not "
                + "allowed (allowed: 1 to ").contains("open-file limit");
        assertThat(error("connections: {perClient: 0}")).contains("connections.perClient: \"0\"");
        assertThat(error("connections: {idleTimeout: forever}")).contains("connections.idleTimeout");
    }

    @Test
    void theMigSectionBindsWithSafeDefaultsAndItsErrorsNameTheKey() {
        MigSettings defaults = read("").mig();
        assertThat(defaults.configs()).as("the shipped configs").isNull();
        assertThat(defaults.drainTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(defaults.applyTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(defaults.auto().enabled()).as("layouts change when operators say so").isFalse();
        MigSettings set = read("mig: {drainTimeout: 2h, applyTimeout: 15m, auto: {enabled: true, interval: 30s, "
                + "maxGpusChangingAtOnce: 4, minIdle: 0}}").mig();
        assertThat(set.auto()).isEqualTo(new MigSettings.Auto(true, Duration.ofSeconds(30), 4, 0));
        assertThat(set.drainTimeout()).isEqualTo(Duration.ofHours(2));
        assertThat(error("mig: {drainTimeout: 8d}")).isEqualTo(
                "controller.yaml: mig.drainTimeout: \"192h\" is not allowed (allowed: from 0s to 7d)");
        assertThat(error("mig: {applyTimeout: 1s}")).contains("mig.applyTimeout: \"1s\"", "from 10s to 6h");
        assertThat(error("mig: {auto: {maxGpusChangingAtOnce: 0}}")).contains("mig.auto.maxGpusChangingAtOnce: \"0\"");
        assertThat(error("mig: {auto: {minIdle: -1}}")).contains("mig.auto.minIdle");
        assertThat(error("mig: {config: mig.yaml}")).contains("unknown key \"mig.config\"");
    }

    @Test
    void withoutSchedulerOrFabricNoBackendIsChosenForJobsAndAllNodesAreUnderOneLeaf() {
        ControllerConfig config = read("member: c1");
        assertThat(config.scheduler().interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.scheduler().backend()).as("no default: a job must name its backend").isNull();
        assertThat(config.scheduler().policy().defaultPriorityClass()).isEqualTo("normal");
        assertThat(config.scheduler().policy().tenants()).as("any tenant, no quota").isEmpty();
        assertThat(config.scheduler().pools()).isEmpty();
        assertThat(config.fabric().spines()).isEmpty();
    }

    @Test
    void theSchedulerPolicyFabricAndPoolsBind() {
        ControllerConfig config = read("""
                member: c1
                scheduler:
                  interval: 250ms
                  policy:
                    backfill: false
                    defaultPriorityClass: batch
                    priorityClasses: [{name: batch, value: 10}, {name: prod, value: 900}]
                    tenants:
                      - {name: research, shares: 2, cohort: lab, quota: {H100: 16}, borrowingLimit: {H100: 8}}
                      - {name: vision, cohort: lab, quota: {H100: 8}}
                  pools:
                    inference: ["gpu-[001-004]"]
                fabric:
                  spines:
                    - name: spine-1
                      leaves:
                        - {name: leaf-1, nodes: ["gpu-[001-004]"]}
                        - {name: leaf-2, nodes: ["gpu-[005-008]", gpu-extra]}
                """);
        assertThat(config.scheduler().interval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.scheduler().policy().backfill()).isFalse();
        assertThat(config.scheduler().policy().priorityClass(null).value()).isEqualTo(10);
        assertThat(config.scheduler().policy().tenant("research").borrowingLimit()).isEqualTo(Map.of("H100", 8));
        assertThat(config.scheduler().poolOf()).containsEntry("gpu-003", "inference").doesNotContainKey("gpu-005");
        assertThat(config.fabric().positions().get("gpu-extra")).isEqualTo(new Fabric.Position("leaf-2", "spine-1"));
        assertThat(config.fabric().positions()).hasSize(9);
    }

    @Test
    void placementPoliciesBindPerPoolAndAPoolTheSchedulerDoesNotKnowIsRefused() {
        ControllerConfig config = read("""
                member: c1
                scheduler:
                  pools:
                    inference: ["gpu-[001-004]"]
                    training: ["gpu-[005-008]"]
                placement:
                  action: cordon-gpu
                  pools:
                    inference: {action: kill, killGrace: 5s}
                """);
        assertThat(config.placement().policy("inference"))
                .isEqualTo(new PlacementPolicy(PlacementAction.KILL, Duration.ofSeconds(5)));
        assertThat(config.placement().policy("training")).isEqualTo(new PlacementPolicy(PlacementAction.CORDON_GPU,
                PlacementPolicy.DEFAULT_KILL_GRACE));
        assertThat(config.placement().policy(null).action()).isEqualTo(PlacementAction.CORDON_GPU);
        assertThat(read("member: c1").placement().policy(null)).as("report by default").isEqualTo(PlacementPolicy.REPORT);

        assertThat(error("""
                scheduler: {pools: {inference: [gpu-1]}}
                placement: {pools: {infrence: {action: kill}}}
                """)).contains("placement.pools.infrence").contains("one of scheduler.pools: [inference]");
        assertThat(error("""
                scheduler: {pools: {inference: [gpu-1]}}
                placement: {pools: {inference: null}}
                """)).contains("placement.pools.inference").contains("a policy, e.g. {action: kill, killGrace: 10s}");
        assertThat(error("placement: {action: shoot}")).contains("placement.action").contains("shoot")
                .contains("report").contains("cordon-gpu");
        assertThat(error("placement: {killGrace: 1h}")).contains("placement.killGrace").contains("from 0s to 10m");
    }

    @Test
    void schedulerAndFabricErrorsNameTheKeyTheValueAndWhatIsAllowed() {
        assertThat(error("scheduler: {intervall: 1s}")).contains("unknown key \"scheduler.intervall\"")
                .contains("backend, interval, policy, pools");
        assertThat(error("scheduler: {interval: 10ms}")).isEqualTo(
                "controller.yaml: scheduler.interval: \"10ms\" is not allowed (allowed: from 100ms to 1m)");
        assertThat(error("scheduler: {backend: kubernetes}")).isEqualTo(
                "controller.yaml: scheduler.backend: \"kubernetes\" is not allowed (allowed: kubernetes together with "
                        + "a kubernetes: section saying which cluster (kubeconfig or inCluster))");
        assertThat(error("scheduler: {backend: nomad}")).contains("scheduler.backend: \"nomad\" is not allowed")
                .contains("simulated").contains("slurm").contains("kubernetes");
        assertThat(error("scheduler: {backend: slurm}")).isEqualTo(
                "controller.yaml: scheduler.backend: \"slurm\" is not allowed (allowed: simulated, or slurm together "
                        + "with a slurm: section saying where slurmrestd is)");
        assertThat(error("scheduler: {policy: {defaultPriorityClass: urgent}}"))
                .contains("scheduler.policy.defaultPriorityClass: \"urgent\" is not allowed (allowed: one of low, "
                        + "normal, high)");
        assertThat(error("scheduler: {policy: {maxJobsPerCycle: 0}}")).contains("scheduler.policy.maxJobsPerCycle");
        assertThat(error("scheduler: {policy: {tenants: [{name: a}, {name: a}]}}"))
                .contains("scheduler.policy.tenants[1].name: \"a\" is not allowed");
        assertThat(error("scheduler: {policy: {tenants: [{name: a, quota: {H100: -1}}]}}"))
                .contains("quota.H100: \"-1\" is not allowed (allowed: 0 or more GPUs)");
        assertThat(error("scheduler: {pools: {serving: [\"gpu-[1-\"]}}"))
                .contains("scheduler.pools.serving[0]: \"gpu-[1-\" is not allowed").contains("gpu[01-32]");
        assertThat(error("scheduler: {pools: {a: [gpu-1], b: [gpu-1]}}")).contains("scheduler.pools.b[0]: \"gpu-1\"")
                .contains("each node in one pool (it is in a too)");
        assertThat(error("fabric: {spines: [{name: s, leaves: [{name: l1, nodes: [n1]}, {name: l2, nodes: [n1]}]}]}"))
                .contains("fabric.spines[0].leaves[1].nodes[0]: \"n1\" is not allowed (allowed: each node under one "
                        + "leaf (it is under l1 too))");
        assertThat(error("fabric: {spines: [{leaves: []}]}")).contains("fabric.spines[0].name")
                .contains("missing");
        assertThat(error("fabric: {leaves: []}")).contains("unknown key \"fabric.leaves\"");
    }

    @Test
    void theSlurmSectionBindsTheBridgesConnectionAndTheTenantsPartitionsAndAccounts() {
        ControllerConfig config = read("""
                member: c1
                scheduler: {backend: slurm}
                slurm:
                  connection: {url: "http://slurmctl-1:6820", user: vigil, tokenFile: /etc/vigil/slurm.jwt}
                  poll: 500ms
                  partition: gpu
                  tenants:
                    research: {partition: gpu-hi, account: research}
                    vision: {account: vision}
                  output: /var/log/vigil-jobs/{job}-%j.out
                """);
        assertThat(config.slurm().connection().url().toString()).isEqualTo("http://slurmctl-1:6820");
        assertThat(config.slurm().connection().timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.slurm().poll()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.slurm().workingDirectory()).isEqualTo("/tmp");
        assertThat(config.slurm().partitionOf("research")).isEqualTo("gpu-hi");
        assertThat(config.slurm().accountOf("research")).isEqualTo("research");
        assertThat(config.slurm().partitionOf("vision")).as("the section's default").isEqualTo("gpu");
        assertThat(config.slurm().accountOf("vision")).isEqualTo("vision");
        assertThat(config.slurm().accountOf("anyone")).as("the user's default account").isNull();
        assertThat(read("member: c1").slurm()).as("no section, no Slurm backend").isNull();
    }

    @Test
    void slurmErrorsNameTheKeyTheValueAndWhatIsAllowed() {
        String connection = "connection: {url: \"http://s:6820\", user: vigil, token: abc}";
        assertThat(error("slurm: {poll: 2s}")).contains("slurm.connection: missing (required: slurmrestd's url");
        assertThat(error("slurm: {connection: {url: \"http://s:6820\", user: vigil}}"))
                .contains("slurm.connection.token: missing (required: a JWT (token) or a file holding one (tokenFile))");
        assertThat(error("slurm: {connection: {url: \"ftp://s\", user: vigil, token: abc}}"))
                .contains("slurm.connection.url: \"ftp://s\" is not allowed");
        assertThat(error("slurm: {" + connection + ", poll: 10ms}"))
                .contains("slurm.poll: \"10ms\" is not allowed (allowed: from 100ms to 1m)");
        assertThat(error("slurm: {" + connection + ", tenants: {research: {partition: \"gpu hi\"}}}"))
                .contains("slurm.tenants.research.partition: \"gpu hi\" is not allowed (allowed: a Slurm partition name)");
        assertThat(error("slurm: {" + connection + ", workingDirectory: tmp}"))
                .contains("slurm.workingDirectory: \"tmp\" is not allowed (allowed: an absolute path on the nodes");
        assertThat(error("slurm: {" + connection + ", partitions: gpu}")).contains("unknown key \"slurm.partitions\"");
    }

    @Test
    void withoutAnAlertsFileTheShippedRulesNotifyByLog() {
        ControllerConfig config = read("member: c1");
        assertThat(config.alerts().file()).isNull();
        assertThat(config.alerts().load().rules()).extracting(r -> r.alert()).contains("GpuXidFatal", "NodeUnreachable");
        assertThat(config.alerts().load().receivers()).extracting(r -> r.name()).containsExactly("log");
    }

    @Test
    void anAlertsFileIsBesideTheConfigWhenRelativeOrWhenNoneIsNamed(@TempDir Path dir) throws IOException {
        Path conf = Files.createDirectories(dir.resolve("etc"));
        Files.writeString(conf.resolve("controller.yaml"), "member: c1\n");
        assertThat(read("member: c1").besideFile(conf.resolve("controller.yaml")).alerts().file())
                .as("nothing beside it: the built-in rules").isNull();
        Files.writeString(conf.resolve("alerts.yaml"), "rules: []\n");
        assertThat(read("member: c1").besideFile(conf.resolve("controller.yaml")).alerts().file())
                .isEqualTo(conf.resolve("alerts.yaml"));
        assertThat(read("alerts: {file: rules/oncall.yaml}").besideFile(conf.resolve("controller.yaml")).alerts()
                .file()).isEqualTo(conf.resolve("rules/oncall.yaml"));
        assertThat(read("alerts: {file: /srv/alerts.yaml}").besideFile(conf.resolve("controller.yaml")).alerts()
                .file()).isEqualTo(Path.of("/srv/alerts.yaml"));
    }

    @Test
    void alertsFileErrorsNameTheFileTheKeyAndWhatIsAllowed(@TempDir Path dir) throws IOException {
        assertThat(error("alerts: {rules: x}")).contains("unknown key \"alerts.rules\"").contains("file");
        Path file = dir.resolve("alerts.yaml");
        Files.writeString(file, "rules:\n  - alert: Hot\n    when: {gpuTemperature: {above: 85}}\n    for: soon\n");
        ControllerConfig config = read("alerts: {file: \"" + file + "\"}");
        assertThat(catchLoad(config)).startsWith(file + ": rules[0].for: \"soon\" is not allowed");
        assertThat(catchLoad(read("alerts: {file: \"" + dir.resolve("missing.yaml") + "\"}")))
                .contains("missing.yaml: file not found");
    }

    private static String catchLoad(ControllerConfig config) {
        try {
            config.alerts().load();
        } catch (InvalidDocumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("loaded: " + config.alerts().file());
    }
}
