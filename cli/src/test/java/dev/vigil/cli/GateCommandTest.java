package dev.vigil.cli;

import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.api.cluster.DesiredState;
import dev.vigil.api.cluster.EndedJob;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.gpu.simulated.FaultKind;
import dev.vigil.gpu.simulated.FaultSpec;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import dev.vigil.gpu.simulated.Workload;
import dev.vigil.gpu.simulated.WorkloadKind;
import dev.vigil.http.Handler;
import dev.vigil.http.HttpServer;
import dev.vigil.http.Response;
import dev.vigil.http.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vigil agent gate} against a real agent on simulated GPUs, as Slurm's prolog and epilog
 * run it: the job's GPUs from Slurm's variables, exit 0 when they are fit, else 1 and one line on
 * stderr with the GPU and the reason.
 */
class GateCommandTest {
    private final Map<String, String> environment = new HashMap<>();
    private Agent agent;
    private SimulatedNode gpus;

    @BeforeEach
    void start() {
        ContextFile.environment = environment::get;
        // GPUs 4 and 5 train: they have a process each; the rest idle
        SimulatedSpec spec = SimulatedSpec.of(NodeProfile.HGX_H100_8, 3, List.of(Workload.of(WorkloadKind.TRAINING,
                List.of(4, 5))));
        gpus = new SimulatedNode("gpu07", spec, Clock.systemUTC());
        agent = Agent.start(new AgentConfig("gpu07", "127.0.0.1:0", BackendKind.SIMULATED,
                new AgentConfig.Sampling(Duration.ofMillis(200), null), null, null, null, null, spec, null), gpus,
                Clock.systemUTC(), null, SystemdNotifier.disabled());
    }

    @AfterEach
    void stop() {
        ContextFile.environment = System::getenv;
        if (agent != null) {
            agent.close();
        }
    }

    private CliRun gate(String... args) {
        CommandLine cli = Vigil.commandLine();
        List<String> argv = new ArrayList<>(List.of("agent", "gate"));
        argv.addAll(List.of(args));
        if (argv.stream().noneMatch(a -> a.startsWith("--agent"))) {
            argv.add("--agent=http://127.0.0.1:" + agent.port());
        }
        if (argv.stream().noneMatch(a -> a.startsWith("--timeout"))) {
            // the gate's 5 s default is for a node's prolog; a shared CI machine under load answers slower
            argv.add("--timeout=30s");
        }
        return CliRun.execute(cli, argv.toArray(String[]::new));
    }

    @Test
    void thePrologPassesHealthyGpusAndFailsWithTheReasonAfterAnXid79() throws Exception {
        environment.put("SLURM_JOB_ID", "4711");
        environment.put("SLURM_JOB_GPUS", "2,3");
        assertThat(gate("--prolog")).isEqualTo(new CliRun(0, "", ""));

        gpus.inject(FaultSpec.now(3, FaultKind.XID, 79));
        await(() -> gate("--prolog").exit() != 0);

        CliRun failed = gate("--prolog");
        assertThat(failed.exit()).isEqualTo(1);
        assertThat(failed.err().lines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("vigil gate: prolog of job 4711 on gpu07: GPU 3 (" + gpus.inventory().gpus().get(3).uuid()
                        + ") is failed: ")
                .contains("79").endsWith("(power-cycle)"));
        // the other GPU alone is fine
        assertThat(gate("--prolog", "--gpus", "2").exit()).isZero();
    }

    @Test
    void theEpilogFailsWhileProcessesAreLeftOnTheJobsGpus() {
        environment.put("SLURM_JOB_ID", "4712");
        environment.put("CUDA_VISIBLE_DEVICES", "0,1");
        assertThat(gate("--epilog").exit()).as("idle GPUs 0 and 1").isZero();

        environment.put("SLURM_JOB_GPUS", "4,5,6");
        CliRun left = gate("--epilog");
        assertThat(left.exit()).isEqualTo(1);
        assertThat(left.err().lines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("vigil gate: epilog of job 4712 on gpu07: GPU 4 still has 1 process after the job: pid ")
                .contains("; GPU 5 still has 1 process after the job: pid ").doesNotContain("GPU 6"));
    }

    @Test
    void theEpilogNamesWhoEachProcessLeftBehindIsWhenTheAgentJudgedIt() throws Exception {
        agent.close();
        // An agent judges its processes once it reports to a controller: this one answers with no allocation.
        HttpServer controller = HttpServer.serving(new Router().post("/v1/agents/{node}/report", request ->
                Response.json(new DesiredState(1, false, false, List.of(), false, 0, List.of()))))
                .start(new InetSocketAddress("127.0.0.1", 0));
        try {
            SimulatedSpec spec = SimulatedSpec.of(NodeProfile.HGX_H100_8, 3, List.of(Workload.of(
                    WorkloadKind.TRAINING, List.of(4, 5))));
            gpus = new SimulatedNode("gpu07", spec, Clock.systemUTC());
            agent = Agent.start(new AgentConfig("gpu07", "127.0.0.1:0", BackendKind.SIMULATED,
                    new AgentConfig.Sampling(Duration.ofMillis(200), null), null, null, null, null, spec,
                    new AgentConfig.Controller(List.of("http://127.0.0.1:" + controller.port()), "vgl_agent_secret",
                            null, Duration.ofMillis(200), Duration.ofSeconds(2)), null, null, null, null,
                    new AgentConfig.Placement(null, Duration.ZERO, null)), gpus, Clock.systemUTC(), null,
                    SystemdNotifier.disabled());
            gpus.inject(FaultSpec.now(5, FaultKind.ROGUE_PROCESS, null));
            long rogue = gpus.processes(5).stream().mapToLong(GpuProcess::pid).max().orElseThrow();
            long training = gpus.processes(4).get(0).pid();
            environment.put("SLURM_JOB_ID", "4713");
            environment.put("SLURM_JOB_GPUS", "4,5");

            await(() -> gate("--epilog").err().contains("verdict rogue"));

            CliRun left = gate("--epilog");
            assertThat(left.exit()).isEqualTo(1);
            assertThat(left.err().lines()).singleElement().satisfies(line -> assertThat(line)
                    .startsWith("vigil gate: epilog of job 4713 on gpu07: GPU 4 still has 1 process after the job: pid "
                            + training + " (")
                    .contains(" MiB, user 1000, command training, owner unit:simulated-workload.service, job none,"
                            + " verdict system); GPU 5 still has 2 processes after the job: pid ")
                    .endsWith(", pid " + rogue + " (1024 MiB, user 1001, command rogue, owner unknown, job none,"
                            + " verdict rogue)"));
        } finally {
            controller.close();
        }
    }

    @Test
    void theEpilogTellsTheControllerThroughTheAgentThatTheJobEndedWithoutWaitingForItsAnswerThePrologDoesNot()
            throws Exception {
        agent.close();
        List<String> told = new CopyOnWriteArrayList<>();
        CountDownLatch answer = new CountDownLatch(1);
        HttpServer controller = controllerAnsweringEnded(request -> {
            told.add(request.pathParam("node") + " " + request.body(EndedJob.class).backendJob());
            answer.await();   // a controller slow to answer
            return Response.json(202, Map.of());
        });
        try {
            agentReportingTo(controller);
            environment.put("SLURM_JOB_ID", "4714");
            environment.put("SLURM_JOB_GPUS", "0");

            assertThat(gate("--prolog").exit()).isZero();
            assertThat(told).as("the prolog tells nobody").isEmpty();
            CompletableFuture<CliRun> epilog = CompletableFuture.supplyAsync(() -> gate("--epilog"));

            // Slurm frees the GPUs when the epilog exits: it does not wait for the controller
            assertThat(epilog.get(10, TimeUnit.SECONDS).exit()).isZero();
            await(() -> !told.isEmpty());
            assertThat(told).containsExactly("gpu07 slurm:4714");
        } finally {
            answer.countDown();
            controller.close();
        }
    }

    @Test
    void aJobWithoutGpusPassesAndBadInputOrNoAgentFail() throws Exception {
        assertThat(gate("--prolog").exit()).as("no GPUs in the job").isZero();
        environment.put("SLURM_JOB_GPUS", "0,x");
        CliRun bad = gate("--prolog");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("$SLURM_JOB_GPUS: \"0,x\" is not allowed (allowed: GPU numbers separated by "
                + "commas, e.g. 0,1)");
        environment.put("SLURM_JOB_GPUS", "9");
        assertThat(gate("--prolog").err()).contains("Slurm's GPU 9 is not on this node: its agent sees 8 GPUs");

        environment.put("SLURM_JOB_GPUS", "0");
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        CliRun unreachable = gate("--prolog", "--agent=http://127.0.0.1:" + closed, "--timeout=1s");
        assertThat(unreachable.exit()).as("the gate closes when the GPUs cannot be checked").isEqualTo(1);
        assertThat(unreachable.err()).startsWith("vigil gate: prolog: the agent at http://127.0.0.1:" + closed
                + " did not answer: ").contains("(the GPUs could not be checked)");
        assertThat(gate("--prolog", "--epilog").exit()).as("one of them").isEqualTo(2);
    }

    /** A controller that takes the agent's reports and answers the epilog's word with {@code ended}. */
    private static HttpServer controllerAnsweringEnded(Handler ended) {
        return HttpServer.serving(new Router()
                .post("/v1/agents/{node}/report", request -> Response.json(new DesiredState(1, false, false, List.of(),
                        false, 0, List.of())))
                .post("/v1/agents/{node}/ended", ended))
                .start(new InetSocketAddress("127.0.0.1", 0));
    }

    /** An agent on simulated GPUs reporting to {@code controller}, each request given 30 s. */
    private void agentReportingTo(HttpServer controller) throws Exception {
        SimulatedSpec spec = SimulatedSpec.of(NodeProfile.HGX_H100_8, 3, List.of());
        gpus = new SimulatedNode("gpu07", spec, Clock.systemUTC());
        agent = Agent.start(new AgentConfig("gpu07", "127.0.0.1:0", BackendKind.SIMULATED,
                new AgentConfig.Sampling(Duration.ofMillis(200), null), null, null, null, null, spec,
                new AgentConfig.Controller(List.of("http://127.0.0.1:" + controller.port()), "vgl_agent_secret",
                        null, Duration.ofMillis(200), Duration.ofSeconds(30)), null, null, null, null, null),
                gpus, Clock.systemUTC(), null, SystemdNotifier.disabled());
    }

    private static void await(Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!check.holds()) {
            assertThat(System.nanoTime()).as("condition not met within 10 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }
}
