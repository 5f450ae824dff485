package dev.vigil.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.Problem;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidValueException;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every malformed request, whatever part of it is at fault, is answered at once with a 4xx
 * problem document and no stack trace in the log, by a server that answers on its event loop
 * (the agent's) and by one whose handlers run on threads of their own (the controller's).
 */
class MalformedRequestTest {
    record Thing(String name, Integer size) {
        Thing {
            InvalidValueException.required(name, "name", "a name");
        }
    }

    /** The two ways a server runs its handlers. */
    enum Kind { EVENT_LOOP, HANDLER_THREADS }

    /** A request as bytes, the status it must get, and the field its problem must name (null: any). */
    record Case(String name, String request, int status, String field) {
    }

    private static final String HOST = "Host: 127.0.0.1\r\n";
    private static final ConcurrentLinkedQueue<Map.Entry<Request, Problem>> REFUSED = new ConcurrentLinkedQueue<>();
    private static ExecutorService threads;
    private static Map<Kind, HttpServer> servers;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void start() {
        threads = Executors.newFixedThreadPool(2);
        Router router = new Router()
                .get("/healthz", r -> Response.text(200, "ok\n"))
                .get("/v1/things/{name}", r -> Response.json(Map.of("name", r.pathParam("name"))))
                .get("/v1/events", r -> Response.json(Map.of("since", since(r))))
                .post("/v1/things", r -> Response.json(201, r.body(Thing.class)));
        Refusals refusals = (request, problem) -> REFUSED.add(Map.entry(request, problem));
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        servers = Map.of(
                Kind.EVENT_LOOP, HttpServer.serving(router).maxBodyBytes(1024).refusals(refusals).start(any),
                Kind.HANDLER_THREADS, HttpServer.serving(router).maxBodyBytes(1024).refusals(refusals)
                        .handlers(threads).start(any));
    }

    private static long since(Request request) {
        String since = request.queryParam("since");
        try {
            return since == null ? 0 : Long.parseLong(since);
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("since", since, "a sequence number");
        }
    }

    @AfterAll
    static void stop() {
        servers.values().forEach(HttpServer::close);
        threads.shutdownNow();
    }

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger("dev.vigil.http")).addAppender(logs);
        REFUSED.clear();
    }

    @AfterEach
    void releaseLogs() {
        ((Logger) LoggerFactory.getLogger("dev.vigil.http")).detachAppender(logs);
    }

    static List<Case> table() {
        String big = "x".repeat(2000);
        return List.of(
                // The request target: escapes, encodings, characters.
                new Case("bad escape in a query name", "GET /healthz?%ZZ=1 HTTP/1.1\r\n" + HOST + "\r\n", 400, "query"),
                new Case("bad escape in a path parameter", "GET /v1/things/%ZZ HTTP/1.1\r\n" + HOST + "\r\n", 400,
                        "path"),
                new Case("escape cut short in a query value", "GET /v1/events?since=% HTTP/1.1\r\n" + HOST + "\r\n", 400,
                        "query parameter since"),
                new Case("escape cut short in the path", "GET /v1/things/a%2 HTTP/1.1\r\n" + HOST + "\r\n", 400, "path"),
                new Case("escape of bytes that are not UTF-8", "GET /v1/things/%C3%28 HTTP/1.1\r\n" + HOST + "\r\n", 400,
                        "path"),
                new Case("escaped control character", "GET /v1/things/a%00b HTTP/1.1\r\n" + HOST + "\r\n", 400, "path"),
                new Case("raw byte beyond ASCII in the path", "GET /v1/things/\u00e9 HTTP/1.1\r\n" + HOST + "\r\n", 400,
                        "request target"),
                new Case("target that is not a path", "GET * HTTP/1.1\r\n" + HOST + "\r\n", 400, "request target"),
                new Case("query value the handler refuses", "GET /v1/events?since=x HTTP/1.1\r\n" + HOST + "\r\n", 400,
                        "since"),
                new Case("request line too long", "GET /" + "a".repeat(9000) + " HTTP/1.1\r\n" + HOST + "\r\n", 414,
                        null),
                new Case("request line that is not HTTP", "\u0001\u0002\u0003\r\n\r\n", 400, null),
                new Case("method with a control character", "G\u0000T /healthz HTTP/1.1\r\n" + HOST + "\r\n", 400, null),
                // Headers.
                new Case("NUL in the Authorization header", "GET /healthz HTTP/1.1\r\n" + HOST
                        + "Authorization: Bearer vgl_0123456789_abc\u0000def\r\n\r\n", 400, "header Authorization"),
                new Case("control character in a header", "GET /healthz HTTP/1.1\r\n" + HOST + "X-Thing: a\u0001b\r\n\r\n",
                        400, "header X-Thing"),
                new Case("space in a header name", "GET /healthz HTTP/1.1\r\n" + HOST + "Bad Name: x\r\n\r\n", 400, null),
                new Case("header line without a colon", "GET /healthz HTTP/1.1\r\n" + HOST + "NoColon\r\n\r\n", 400,
                        null),
                new Case("headers too large", "GET /healthz HTTP/1.1\r\n" + HOST + "X-Big: " + "y".repeat(20_000)
                        + "\r\n\r\n", 431, null),
                new Case("unknown expectation", "POST /v1/things HTTP/1.1\r\n" + HOST
                        + "Expect: teapot\r\nContent-Length: 2\r\n\r\n", 417, null),
                // Bodies.
                new Case("content length that is not a number", "POST /v1/things HTTP/1.1\r\n" + HOST
                        + "Content-Length: abc\r\n\r\n{}", 400, null),
                new Case("negative content length", "POST /v1/things HTTP/1.1\r\n" + HOST
                        + "Content-Length: -1\r\n\r\n{}", 400, null),
                new Case("two content lengths", "POST /v1/things HTTP/1.1\r\n" + HOST
                        + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400, null),
                new Case("bad chunk size", "POST /v1/things HTTP/1.1\r\n" + HOST
                        + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400, null),
                new Case("body too large", "POST /v1/things HTTP/1.1\r\n" + HOST + "Content-Length: "
                        + (big.length() + 10) + "\r\n\r\n{\"name\":\"" + big + "\"}", 413, null),
                new Case("100-continue for a body too large", "POST /v1/things HTTP/1.1\r\n" + HOST
                        + "Expect: 100-continue\r\nContent-Length: 5000\r\n\r\n", 413, null),
                new Case("body cut short of JSON", post("{\"name\":"), 400, null),
                new Case("body naming an unknown field", post("{\"name\":\"a\",\"colour\":1}"), 400, "colour"),
                new Case("body of the wrong type", post("{\"name\":\"a\",\"size\":\"big\"}"), 400, "size"),
                // Routing.
                new Case("no such route", "GET /v1/nothing HTTP/1.1\r\n" + HOST + "\r\n", 404, null),
                new Case("wrong method", "DELETE /v1/things/x HTTP/1.1\r\n" + HOST + "\r\n", 405, null));
    }

    private static String post(String json) {
        return "POST /v1/things HTTP/1.1\r\n" + HOST + "Content-Type: application/json\r\nContent-Length: "
                + json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void everyMalformedRequestIsAnsweredAtOnceWithA4xxProblemAndNoStackTrace(Kind kind) throws Exception {
        int port = servers.get(kind).port();
        SoftAssertions softly = new SoftAssertions();
        for (Case c : table()) {
            RawHttp.Answer answer;
            try {
                answer = RawHttp.exchange(port, c.request());
            } catch (Exception e) {
                softly.fail(c.name() + ": no answer (" + e + ")");
                continue;
            }
            softly.assertThat(answer.status()).as(c.name()).isEqualTo(c.status());
            softly.assertThat(answer.header("content-type")).as(c.name() + ": content type")
                    .isEqualTo(Problem.MEDIA_TYPE);
            JsonNode problem = Documents.json().readTree(answer.body());
            softly.assertThat(problem.path("status").asInt()).as(c.name() + ": problem status").isEqualTo(c.status());
            if (c.field() != null) {
                softly.assertThat(problem.path("field").asText()).as(c.name() + ": field").isEqualTo(c.field());
            }
        }
        softly.assertAll();
        assertThat(logs.list).as("log lines with a stack trace").noneMatch(e -> e.getThrowableProxy() != null);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aRequestRefusedForItsHeadersIsReportedWithTheCredentialsItCarriedButNeverEchoesThem(Kind kind)
            throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(servers.get(kind).port(), "POST /v1/things HTTP/1.1\r\n" + HOST
                + "Authorization: Bearer vgl_0123456789_secret\u0000part\r\nContent-Length: 2\r\n\r\n{}");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).contains("\"field\":\"header Authorization\"").doesNotContain("secret");
        Map.Entry<Request, Problem> refused = awaitRefusal();
        assertThat(refused.getKey().method()).isEqualTo("POST");
        assertThat(refused.getKey().path()).isEqualTo("/v1/things");
        assertThat(refused.getKey().header("Authorization")).startsWith("Bearer vgl_0123456789_");
        assertThat(refused.getValue().status()).isEqualTo(400);
        assertThat(refused.getValue().detail()).doesNotContain("secret");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aConnectionKeepsServingAfterARefusedTargetAndClosesAfterAnUnparsableRequest(Kind kind) throws Exception {
        try (var socket = RawHttp.connect(servers.get(kind).port(), null)) {
            RawHttp.send(socket, RawHttp.get("/healthz?%ZZ=1"));
            assertThat(RawHttp.read(socket).status()).isEqualTo(400);
            RawHttp.send(socket, RawHttp.get("/healthz"));
            assertThat(RawHttp.read(socket).status()).isEqualTo(200);
            RawHttp.send(socket, "GET /healthz HTTP/1.1\r\n" + HOST + "NoColon\r\n\r\n");
            assertThat(RawHttp.read(socket).status()).isEqualTo(400);
            assertThat(RawHttp.closedByServer(socket)).isTrue();
        }
    }

    private static Map.Entry<Request, Problem> awaitRefusal() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (REFUSED.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(REFUSED).as("refusals reported").isNotEmpty();
        return REFUSED.poll();
    }
}
