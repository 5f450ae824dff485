package dev.vigil.slurm;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The REST side against a stand-in slurmrestd (the JDK's HTTP server): which version connect
 * picks, what goes on the wire, and how Slurm's errors come back. The real 22.05 daemon is in
 * {@link SlurmIT}; this covers what only newer versions answer.
 */
class RestTest {
    private static final String META = "{\"plugin\": {\"type\": \"openapi/slurmctld\"}, "
            + "\"slurm\": {\"release\": \"23.11.4\"}}";

    private HttpServer server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();

    @TempDir
    Path dir;

    record Seen(String method, String path, String query, String protocol, Map<String, List<String>> headers,
                String body) {
    }

    record Answer(int status, String body) {
    }

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
            seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestURI().getQuery(), exchange.getProtocol(),
                    Map.copyOf(exchange.getRequestHeaders()), body));
            Answer answer = answers.getOrDefault(key, new Answer(404, "Unable find requested URL."));
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), answer.status() == 304 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private SlurmConfig config() throws IOException {
        // an empty slurm.conf: a fallback to the commands fails at once, and never reaches a real cluster
        Path conf = Files.writeString(dir.resolve("slurm.conf"), "# no cluster here\n");
        return new SlurmConfig(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "vigil", "jwt-1",
                null, null, Map.of("SLURM_CONF", conf.toString()));
    }

    private void serve(String request, int status, String body) {
        answers.put(request, new Answer(status, body));
    }

    @Test
    void connectProbesTheNewestVersionFirstAndKeepsTheFirstServed() throws Exception {
        serve("GET /slurm/v0.0.40/ping", 200, "{\"meta\": " + META + ", \"errors\": [], \"pings\": []}");
        Slurm slurm = Slurm.connect(config());

        assertThat(slurm.apiVersion()).isEqualTo(ApiVersion.V0_0_40);
        assertThat(slurm.release()).isEqualTo("23.11.4");
        assertThat(seen).extracting(Seen::path).containsExactly("/slurm/v0.0.41/ping", "/slurm/v0.0.40/ping");
        Seen ping = seen.get(1);
        assertThat(ping.protocol()).isEqualTo("HTTP/1.1");
        assertThat(ping.headers()).doesNotContainKey("Upgrade")   // slurmrestd 22.05 answers an h2c upgrade with 405
                .containsEntry("X-slurm-user-name", List.of("vigil"))
                .containsEntry("X-slurm-user-token", List.of("jwt-1"));
    }

    @Test
    void aDaemonServingNoKnownVersionIsAnErrorNamingThem() throws IOException {
        assertThatThrownBy(() -> Slurm.connect(config()))
                .isInstanceOf(SlurmException.class)
                .hasMessageContaining("serves none of the API versions this bridge speaks (v0.0.41, v0.0.40, v0.0.39, "
                        + "v0.0.38 all answered 404)");
    }

    @Test
    void aRefusedTokenAtConnectCarriesSlurmsWords() throws IOException {
        serve("GET /slurm/v0.0.41/ping", 500, "{\"errors\": [{\"description\": \"slurmctld config is unable to load\","
                + " \"error_number\": -1, \"error\": \"Unspecified error\", \"source\": \"slurm_load_ctl_conf\"}]}");
        assertThatThrownBy(() -> Slurm.connect(config()))
                .isInstanceOf(SlurmException.class)
                .hasMessage("slurmctld config is unable to load (Unspecified error) (request: GET /slurm/v0.0.41/ping)");
        serve("GET /slurm/v0.0.41/ping", 401, "Authentication failure");
        assertThatThrownBy(() -> Slurm.connect(config()))
                .isInstanceOf(SlurmException.class)
                .hasMessageContaining("slurmrestd answered HTTP 401: Authentication failure (make a token with "
                        + "'scontrol token username=USER')");
    }

    @Test
    void jobsChangedSinceAsksWithUpdateTimeAndTakes304AsNoChange() throws Exception {
        serve("GET /slurm/v0.0.41/ping", 200, "{\"meta\": " + META + ", \"errors\": []}");
        Slurm slurm = Slurm.connect(config());
        serve("GET /slurm/v0.0.41/jobs", 304, "");
        assertThat(slurm.jobsChangedSince(Instant.ofEpochSecond(1_800_000_000))).isEmpty();
        // a change in the same second as the last look must not be missed: one second earlier
        assertThat(seen.get(seen.size() - 1).query()).isEqualTo("update_time=1799999999");
        serve("GET /slurm/v0.0.41/jobs", 200, "{\"errors\": [], \"jobs\": [{\"job_id\": 7, \"job_state\": "
                + "[\"PENDING\"], \"name\": \"a\", \"nodes\": \"\", \"comment\": \"vigil:j-000001/1\"}]}");
        assertThat(slurm.jobsChangedSince(Instant.ofEpochSecond(1_800_000_000))).hasValueSatisfying(jobs ->
                assertThat(jobs).extracting(SlurmJob::id, SlurmJob::comment).containsExactly(
                        tuple(7L, "vigil:j-000001/1")));
    }

    @Test
    void aJobSlurmTookDespiteAnErrorHasItsId() throws Exception {
        serve("GET /slurm/v0.0.41/ping", 200, "{\"meta\": " + META + ", \"errors\": []}");
        serve("POST /slurm/v0.0.41/job/submit", 200, "{\"errors\": [{\"error_number\": 2068, \"error\": \"Required "
                + "node not available (down, drained or reserved)\"}], \"job_id\": 812, \"step_id\": \"BATCH\"}");
        Slurm slurm = Slurm.connect(config());
        assertThat(slurm.submit(JobRequest.builder("#!/bin/bash\ntrue\n").nodes(List.of("gpu04"))
                .workingDirectory("/tmp").build())).isEqualTo(812);
        serve("POST /slurm/v0.0.41/job/submit", 500, "{\"errors\": [{\"error_number\": 2015, \"error\": "
                + "\"Invalid partition name specified\"}], \"job_id\": 0}");
        assertThatThrownBy(() -> slurm.submit(JobRequest.builder("#!/bin/bash\ntrue\n").workingDirectory("/tmp")
                .build())).isInstanceOf(SlurmException.class).hasMessageStartingWith("Invalid partition name specified");
    }

    @Test
    void anUnreachableControllerIsRetryableAndNamesTheRequest() throws Exception {
        serve("GET /slurm/v0.0.41/ping", 200, "{\"meta\": " + META + ", \"errors\": []}");
        serve("GET /slurm/v0.0.41/jobs", 500, "{\"errors\": [{\"description\": \"Unable to contact slurm controller "
                + "(connect failure)\", \"error_number\": 1007, \"error\": \"Unable to contact slurm controller (connect "
                + "failure)\", \"source\": \"slurm_load_jobs\"}], \"jobs\": []}");
        Slurm slurm = Slurm.connect(config());
        assertThatThrownBy(slurm::jobs)
                .isInstanceOf(SlurmException.class)
                .hasMessage("Unable to contact slurm controller (connect failure) (request: GET /slurm/v0.0.41/jobs)")
                .satisfies(e -> assertThat(((SlurmException) e).retryable()).isTrue());
    }

    @Test
    void noAnswerAtAllIsRetryable() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        SlurmConfig nowhere = SlurmConfig.of(URI.create("http://127.0.0.1:" + closed), "vigil", "jwt");
        assertThatThrownBy(() -> Slurm.connect(nowhere))
                .isInstanceOf(SlurmException.class)
                .hasMessageStartingWith("cannot reach slurmrestd at http://127.0.0.1:" + closed + ": ")
                .hasMessageEndingWith(" (request: GET /slurm/v0.0.41/ping)")
                .satisfies(e -> assertThat(((SlurmException) e).slurmMessage()).as("with the reason")
                        .doesNotEndWith(": "))
                .satisfies(e -> assertThat(((SlurmException) e).retryable()).isTrue());
    }

    @Test
    void fromV0039NodesAreDrainedAndResumedThroughRest() throws Exception {
        serve("GET /slurm/v0.0.39/ping", 200, "{\"meta\": " + META + ", \"errors\": []}");
        serve("POST /slurm/v0.0.39/node/gpu01", 200, "{\"meta\": " + META + ", \"errors\": []}");
        Slurm slurm = Slurm.connect(config());
        slurm.drain("gpu01", "XID 79 on GPU 3");
        slurm.resume("gpu01");

        List<Seen> updates = seen.stream().filter(s -> s.method().equals("POST")).toList();
        assertThat(updates).extracting(Seen::body).containsExactly(
                "{\"state\":[\"DRAIN\"],\"reason\":\"vigil: XID 79 on GPU 3\",\"reason_uid\":\"vigil\"}",
                "{\"state\":[\"RESUME\"]}");
    }

    @Test
    void aFieldTheDaemonRefusesSendsTheJobThroughSbatch() throws Exception {
        serve("GET /slurm/v0.0.40/ping", 200, "{\"meta\": " + META + ", \"errors\": []}");
        serve("POST /slurm/v0.0.40/job/submit", 500, "{\"errors\": [{\"description\": \"Disabled key: \\\"tres_per_node\\\"\","
                + " \"error_number\": 1, \"error\": \"Operation not permitted\"}, {\"error_code\": 9001, \"error\": "
                + "\"Failure during parsing\"}]}");
        Slurm slurm = Slurm.connect(config());
        JobRequest request = JobRequest.builder("#!/bin/bash\ntrue\n").gpusPerNode(2).workingDirectory("/tmp").build();
        // sbatch fails here (an empty slurm.conf, or no sbatch installed): its command line shows it was asked
        assertThatThrownBy(() -> slurm.submit(request))
                .isInstanceOf(SlurmException.class)
                .satisfies(e -> assertThat(((SlurmException) e).request()).startsWith("sbatch --parsable")
                        .contains("--gpus-per-node=2").endsWith("<script on stdin>"));
    }

    @Test
    void aTokenFileIsReadAgainWhenItChanges() throws Exception {
        serve("GET /slurm/v0.0.41/ping", 200, "{\"meta\": " + META + ", \"errors\": []}");
        serve("GET /slurm/v0.0.41/nodes", 200, "{\"meta\": " + META + ", \"errors\": [], \"nodes\": []}");
        Path file = dir.resolve("slurm.jwt");
        Files.writeString(file, "SLURM_JWT=first\n");
        Slurm slurm = Slurm.connect(new SlurmConfig(config().url(), "vigil", null, file, null, null));
        Files.writeString(file, "second\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        slurm.nodes();

        assertThat(seen).extracting(s -> s.headers().get("X-slurm-user-token").get(0)).containsExactly("first", "second");
    }

    @Test
    void anAddressEndingInASlashServesTheSamePaths() throws Exception {
        serve("GET /slurm/v0.0.41/ping", 200, "{\"meta\": " + META + ", \"errors\": []}");
        SlurmConfig config = config();
        Slurm.connect(new SlurmConfig(URI.create(config.url() + "/"), "vigil", "jwt-1", null, null,
                config.commandEnvironment()));

        assertThat(seen).extracting(Seen::path).containsExactly("/slurm/v0.0.41/ping");
    }

    @Test
    void aJobIsReadOrEmptyWhenSlurmDoesNotKnowIt() throws Exception {
        Slurm slurm = connect41();
        serve("GET /slurm/v0.0.41/job/7", 200, "{\"errors\": [], \"jobs\": [{\"job_id\": 7, \"job_state\": [\"RUNNING\"],"
                + " \"name\": \"a\", \"nodes\": \"gpu01\", \"gres_detail\": [\"gpu:h100:2(IDX:0-1)\"]}]}");
        assertThat(slurm.job(7)).hasValueSatisfying(job -> {
            assertThat(job.state()).isEqualTo(JobState.RUNNING);
            assertThat(job.gpusOn("gpu01")).isEqualTo(2);
        });
        serve("GET /slurm/v0.0.41/job/8", 500, "{\"errors\": [{\"error\": \"Invalid job id specified\", "
                + "\"error_number\": 2017}], \"jobs\": []}");
        assertThat(slurm.job(8)).isEmpty();
        serve("GET /slurm/v0.0.41/job/9", 200, "{\"errors\": [], \"jobs\": []}");
        assertThat(slurm.job(9)).isEmpty();
        serve("GET /slurm/v0.0.41/job/10", 500, "{\"errors\": [{\"error\": \"Access denied\", \"error_number\": 2002}]}");
        assertThatThrownBy(() -> slurm.job(10)).isInstanceOf(SlurmException.class)
                .hasMessage("Access denied (request: GET /slurm/v0.0.41/job/10)");
    }

    @Test
    void jobsAndNodesAreReadWhoeverOwnsThem() throws Exception {
        Slurm slurm = connect41();
        serve("GET /slurm/v0.0.41/jobs", 200, "{\"errors\": [], \"jobs\": [{\"job_id\": 7, \"job_state\": "
                + "[\"PENDING\"], \"user_name\": \"alice\"}, {\"job_id\": 8, \"job_state\": [\"COMPLETED\"], "
                + "\"nodes\": \"gpu02\"}]}");
        assertThat(slurm.jobs()).extracting(SlurmJob::id, SlurmJob::state).containsExactly(
                tuple(7L, JobState.PENDING), tuple(8L, JobState.COMPLETED));
        serve("GET /slurm/v0.0.41/nodes", 200, "{\"errors\": [], \"nodes\": [{\"name\": \"gpu01\", \"state\": "
                + "[\"IDLE\", \"DRAIN\"], \"gres\": \"gpu:h100:8\"}, {\"name\": \"gpu02\", \"state\": [\"MIXED\"]}]}");
        assertThat(slurm.nodes()).extracting(SlurmNode::name, SlurmNode::drained, SlurmNode::gpus).containsExactly(
                tuple("gpu01", true, 8), tuple("gpu02", false, 0));
    }

    @Test
    void cancellingSaysWhetherSlurmKnewTheJob() throws Exception {
        Slurm slurm = connect41();
        serve("DELETE /slurm/v0.0.41/job/7", 200, "{\"errors\": []}");
        assertThat(slurm.cancel(7)).isTrue();
        serve("DELETE /slurm/v0.0.41/job/8", 500, "{\"errors\": [{\"error\": \"Invalid job id specified\", "
                + "\"error_number\": 2017}]}");
        assertThat(slurm.cancel(8)).isFalse();
        serve("DELETE /slurm/v0.0.41/job/9", 500, "{\"errors\": [{\"error\": \"Access/permission denied\", "
                + "\"error_number\": 2002}]}");
        assertThatThrownBy(() -> slurm.cancel(9)).isInstanceOf(SlurmException.class)
                .hasMessage("Access/permission denied (request: DELETE /slurm/v0.0.41/job/9)");
        assertThat(seen).filteredOn(s -> s.method().equals("DELETE")).extracting(Seen::path).containsExactly(
                "/slurm/v0.0.41/job/7", "/slurm/v0.0.41/job/8", "/slurm/v0.0.41/job/9");
    }

    @Test
    void v0038DrainsAndResumesThroughScontrol() throws Exception {
        serve("GET /slurm/v0.0.38/ping", 200, "{\"meta\": {\"Slurm\": {\"release\": \"22.05.8\"}}, \"errors\": []}");
        Slurm slurm = Slurm.connect(config());
        assertThat(slurm.release()).isEqualTo("22.05.8");
        // scontrol fails here (an empty slurm.conf, or none installed): its command line shows what was asked
        assertThatThrownBy(() -> slurm.drain("gpu01", "XID 79 on GPU 3")).isInstanceOfSatisfying(SlurmException.class,
                e -> assertThat(e.request()).isEqualTo("scontrol update nodename=gpu01 state=drain "
                        + "reason='vigil: XID 79 on GPU 3'"));
        assertThatThrownBy(() -> slurm.resume("gpu01")).isInstanceOfSatisfying(SlurmException.class,
                e -> assertThat(e.request()).isEqualTo("scontrol update nodename=gpu01 state=resume"));
        assertThat(seen).noneMatch(s -> s.method().equals("POST"));
    }

    @Test
    void aSwitchLimitGoesThroughRestOnlyFromV0041() throws Exception {
        JobRequest gang = JobRequest.builder("#!/bin/bash\ntrue\n").nodeCount(2).maxSwitches(1, Duration.ofMinutes(5))
                .workingDirectory("/tmp").build();
        serve("POST /slurm/v0.0.41/job/submit", 200, "{\"errors\": [], \"job_id\": 31}");
        assertThat(connect41().submit(gang)).isEqualTo(31);
        assertThat(seen.get(seen.size() - 1).body()).contains("\"required_switches\":1");

        answers.clear();
        seen.clear();
        serve("GET /slurm/v0.0.40/ping", 200, "{\"meta\": " + META + ", \"errors\": []}");
        Slurm v40 = Slurm.connect(config());
        assertThatThrownBy(() -> v40.submit(gang)).isInstanceOfSatisfying(SlurmException.class,
                e -> assertThat(e.request()).startsWith("sbatch --parsable").contains("--switches=1@5:00"));
        assertThat(seen).noneMatch(s -> s.method().equals("POST"));
    }

    @Test
    void aRefusedJobIsNamedInTheError() throws Exception {
        Slurm slurm = connect41();
        serve("POST /slurm/v0.0.41/job/submit", 500, "{\"errors\": [{\"error_number\": 2015, \"error\": "
                + "\"Invalid partition name specified\"}], \"job_id\": 0}");
        assertThatThrownBy(() -> slurm.submit(JobRequest.builder("#!/bin/bash\ntrue\n").name("train")
                .nodes(List.of("gpu01", "gpu02")).partition("gpu").workingDirectory("/tmp").build()))
                .isInstanceOfSatisfying(SlurmException.class, e -> assertThat(e.request()).isEqualTo(
                        "POST /slurm/v0.0.41/job/submit (job \"train\" on gpu01,gpu02 in gpu)"));
        assertThatThrownBy(() -> slurm.submit(JobRequest.builder("#!/bin/bash\ntrue\n").nodeCount(3)
                .workingDirectory("/tmp").build()))
                .isInstanceOfSatisfying(SlurmException.class, e -> assertThat(e.request()).isEqualTo(
                        "POST /slurm/v0.0.41/job/submit (job \"vigil\" on 3 node(s))"));
    }

    @Test
    void anAcceptedJobWithoutAnIdIsAnError() throws Exception {
        Slurm slurm = connect41();
        JobRequest request = JobRequest.builder("#!/bin/bash\ntrue\n").workingDirectory("/tmp").build();
        serve("POST /slurm/v0.0.41/job/submit", 200, "{\"errors\": [], \"job_id\": 1}");
        assertThat(slurm.submit(request)).isEqualTo(1);
        for (String body : List.of("{\"errors\": []}", "{\"errors\": [], \"job_id\": 0}")) {
            serve("POST /slurm/v0.0.41/job/submit", 200, body);
            assertThatThrownBy(() -> slurm.submit(request)).isInstanceOfSatisfying(SlurmException.class, e -> {
                assertThat(e.slurmMessage()).startsWith("slurmrestd accepted the job but gave no job_id: ");
                assertThat(e.retryable()).isFalse();
            });
        }
    }

    @Test
    void aSubmissionIsLoggedAndSlurmsWarningsWithIt() throws Exception {
        Slurm slurm = connect41();
        JobRequest request = JobRequest.builder("#!/bin/bash\ntrue\n").name("train").nodes(List.of("gpu04"))
                .gpusPerNode(2).workingDirectory("/tmp").build();
        Logger logger = (Logger) LoggerFactory.getLogger(Slurm.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            serve("POST /slurm/v0.0.41/job/submit", 200, "{\"errors\": [], \"job_id\": 811}");
            slurm.submit(request);
            serve("POST /slurm/v0.0.41/job/submit", 200, "{\"errors\": [{\"error_number\": 2068, \"error\": "
                    + "\"Required node not available (down, drained or reserved)\"}], \"job_id\": 812}");
            slurm.submit(request);
            serve("POST /slurm/v0.0.41/job/submit", 500, "{\"errors\": [{\"error_number\": 2015, \"error\": "
                    + "\"Invalid partition name specified\"}], \"job_id\": 0}");
            assertThatThrownBy(() -> slurm.submit(request)).isInstanceOf(SlurmException.class);
        } finally {
            logger.detachAppender(lines);
        }
        assertThat(lines.list).extracting(ILoggingEvent::getMessage, RestTest::keyValues).containsExactly(
                tuple("slurm_job_submitted", "job=811 name=train nodes=gpu04 gpus_per_node=2 via=rest"),
                tuple("slurm_submit_warning", "job=812 name=train slurm_says=Required node not available (down, "
                        + "drained or reserved)"),
                tuple("slurm_job_submitted", "job=812 name=train nodes=gpu04 gpus_per_node=2 via=rest"));
    }

    @Test
    void anInterruptedRequestKeepsTheInterrupt() throws Exception {
        Slurm slurm = connect41();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(slurm::nodes).isInstanceOfSatisfying(SlurmException.class, e -> {
                assertThat(e.slurmMessage()).isEqualTo("interrupted while waiting for slurmrestd");
                assertThat(e.retryable()).isTrue();
            });
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aTokenFileThatIsMissingOrEmptyIsNamed() throws Exception {
        Path missing = dir.resolve("missing.jwt");
        SlurmConfig config = new SlurmConfig(config().url(), "vigil", null, missing, null, null);
        assertThatThrownBy(() -> Slurm.connect(config)).isInstanceOfSatisfying(SlurmException.class, e -> {
            assertThat(e.slurmMessage()).isEqualTo("cannot read the token file " + missing + ": " + missing);
            assertThat(e.retryable()).isFalse();
        });
        Path empty = Files.writeString(dir.resolve("empty.jwt"), "SLURM_JWT=\n");
        assertThatThrownBy(() -> Slurm.connect(new SlurmConfig(config().url(), "vigil", null, empty, null, null)))
                .isInstanceOf(SlurmException.class).hasMessageStartingWith("the token file " + empty + " is empty");
        assertThat(seen).isEmpty();
    }

    private Slurm connect41() throws Exception {
        serve("GET /slurm/v0.0.41/ping", 200, "{\"meta\": " + META + ", \"errors\": []}");
        return Slurm.connect(config());
    }

    private static String keyValues(ILoggingEvent event) {
        return String.join(" ", event.getKeyValuePairs().stream().map(kv -> kv.key + "=" + kv.value).toList());
    }
}
