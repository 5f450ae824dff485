package dev.vigil.http;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.Problem;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidValueException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the request path: the request line, headers, target, query and
 * body, through the same pipeline a connection gets (Netty's codec, the aggregator, the
 * dispatcher, a router with path parameters, query parameters and a bound body). Goal: no 5xx,
 * no request left unanswered, every 4xx a problem document.
 *
 * <p>Plain {@code mvn test} replays the inputs in {@code RequestFuzzTestInputs/} (the malformed
 * requests issue 10 found, and anything the fuzzer found since); CI fuzzes for the duration below
 * ({@code JAZZER_FUZZ=1}, set by the http-server pom's {@code ci} profile). Locally:
 * {@code JAZZER_FUZZ=1 ./mvnw -pl http-server test -Dtest=RequestFuzzTest}.
 */
class RequestFuzzTest {
    record Thing(String name, Integer size, List<String> tags) {
        Thing {
            InvalidValueException.required(name, "name", "a name");
        }
    }

    private static final Router ROUTER = new Router()
            .get("/healthz", r -> Response.text(200, "ok\n"))
            .get("/v1/things/{name}", r -> Response.json(Map.of("name", r.pathParam("name"))))
            .get("/v1/events", r -> Response.json(Map.of("since", since(r))))
            .post("/v1/things", r -> Response.json(201, r.body(Thing.class)))
            .delete("/v1/things/{name}", r -> Response.noContent());
    private static final ServerPipeline PIPELINE = new ServerPipeline(ROUTER, 1024, ConnectionLimits.defaults(),
            null, null, null);
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    private static final List<String> TARGETS = List.of("/healthz", "/v1/things/", "/v1/events?since=", "/v1/things",
            "/v1/things?", "http://host/v1/things/", "/");

    private static long since(Request request) {
        String since = request.queryParam("since");
        try {
            return since == null ? 0 : Long.parseLong(since);
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("since", since, "a sequence number");
        }
    }

    /** One answer as it went out on the wire. */
    private record Answer(int status, String contentType, byte[] body) {
    }

    @FuzzTest(maxDuration = "30s")
    void everyRequestIsAnsweredWithoutA5xxAndEveryRefusalIsAProblem(FuzzedDataProvider data) throws IOException {
        byte[] request;
        boolean whole;
        boolean head;
        if (data.consumeBoolean()) {
            request = data.consumeRemainingAsBytes();
            String text = new String(request, StandardCharsets.ISO_8859_1);
            String lower = text.toLowerCase(Locale.ROOT);
            // Raw bytes: whole requests when they end a head and say nothing of a body.
            whole = text.endsWith("\r\n\r\n") && text.chars().anyMatch(c -> c > 0x20 && c < 0x7f)
                    && !lower.contains("content-length") && !lower.contains("transfer-encoding");
            head = text.contains("HEAD");
        } else {
            String method = data.consumeBoolean() ? data.pickValue(METHODS) : oneLine(data.consumeString(8));
            request = framed(method, data);
            whole = true;
            // Netty reads a method token such as "HEAD" between any whitespace: no body comes back either.
            head = method.contains("HEAD");
        }
        EmbeddedChannel channel = new EmbeddedChannel(PIPELINE);
        try {
            channel.writeInbound(Unpooled.wrappedBuffer(request));
            List<Answer> answers = answers(channel, head);
            if (whole) {
                assertThat(answers).as("answers to a whole request").isNotEmpty();
            }
            for (Answer answer : answers) {
                assertThat(answer.status()).as("status").isBetween(200, 499);
                // The answer to a HEAD has no body to check (nor can later answers be told apart).
                if (answer.status() >= 400 && !head) {
                    assertThat(answer.contentType()).isEqualTo(Problem.MEDIA_TYPE);
                    JsonNode problem = Documents.json().readTree(answer.body());
                    assertThat(problem.path("status").asInt()).isEqualTo(answer.status());
                    assertThat(problem.path("detail").asText()).isNotBlank();
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** A whole request (its length given) with fuzzed method, target, headers and body. */
    private static byte[] framed(String method, FuzzedDataProvider data) {
        StringBuilder head = new StringBuilder(method).append(' ')
                .append(data.pickValue(TARGETS)).append(oneLine(data.consumeString(60)))
                .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        int headers = data.consumeInt(0, 4);
        for (int i = 0; i < headers; i++) {
            String name = oneLine(data.consumeString(16));
            String lower = name.toLowerCase(Locale.ROOT);
            // The length is ours to give: another would leave the request unfinished, rightly unanswered.
            if (lower.contains("content-length") || lower.contains("transfer-encoding")) {
                name = "X-" + name;
            }
            head.append(name).append(": ").append(oneLine(data.consumeString(40))).append("\r\n");
        }
        if (data.consumeBoolean()) {
            head.append("Content-Type: application/json\r\n");
        }
        byte[] body = data.consumeRemainingAsBytes();
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        request.writeBytes(body);
        return request.toByteArray();
    }

    private static String oneLine(String text) {
        return text.replace('\r', ' ').replace('\n', ' ');
    }

    /**
     * The final answers written (informational 1xx ones skipped). After an answer to a HEAD, whose
     * Content-Length announces a body that is not sent, where the next answer starts cannot be
     * told: with a HEAD among the requests only the first answer is read.
     */
    private static List<Answer> answers(EmbeddedChannel channel, boolean head) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object message = channel.readOutbound(); message != null; message = channel.readOutbound()) {
            ByteBuf buffer = (ByteBuf) message;
            byte[] bytes = new byte[buffer.readableBytes()];
            buffer.readBytes(bytes);
            buffer.release();
            out.writeBytes(bytes);
        }
        byte[] wire = out.toByteArray();
        List<Answer> answers = new ArrayList<>();
        int at = 0;
        while (at < wire.length) {
            int end = indexOf(wire, at);
            assertThat(end).as("an answer's head ends").isPositive();
            String[] lines = new String(wire, at, end - at, StandardCharsets.ISO_8859_1).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            String contentType = null;
            int length = 0;
            for (String line : lines) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-type:")) {
                    contentType = line.substring(13).trim();
                } else if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            at = end + 4;
            if (status >= 200) {
                byte[] body = new byte[Math.min(length, wire.length - at)];
                System.arraycopy(wire, at, body, 0, body.length);
                answers.add(new Answer(status, contentType, body));
                if (head) {
                    break;
                }
                at += body.length;
            }
        }
        return answers;
    }

    private static int indexOf(byte[] wire, int from) {
        for (int i = from; i + 3 < wire.length; i++) {
            if (wire[i] == '\r' && wire[i + 1] == '\n' && wire[i + 2] == '\r' && wire[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
