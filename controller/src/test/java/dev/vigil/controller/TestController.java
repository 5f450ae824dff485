package dev.vigil.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.controller.leader.EventLoop;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/** A one-member controller for tests: in memory, on free ports, with its bootstrap tokens. */
public final class TestController implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final Controller controller;
    private final Path dataDir;

    private TestController(Controller controller, Path dataDir) {
        this.controller = controller;
        this.dataDir = dataDir;
    }

    /** Starts in memory and waits until it answers writes. */
    public static TestController start(Path dataDir, String extraYaml) throws Exception {
        return start(dataDir, extraYaml, false);
    }

    /** Starts, keeping the cluster state in the data dir with {@code persistence}, and waits until it answers writes. */
    public static TestController start(Path dataDir, String extraYaml, boolean persistence) throws Exception {
        return start(dataDir, extraYaml, persistence, UnaryOperator.identity());
    }

    /** As above, with the member's view check after a pause wrapped in {@code viewCheck}. */
    static TestController start(Path dataDir, String extraYaml, boolean persistence,
                                UnaryOperator<BooleanSupplier> viewCheck) throws Exception {
        String yaml = """
                member: c1
                listen: 127.0.0.1:%d
                dataDir: %s
                cluster:
                  members: [{name: c1, address: "127.0.0.1:%d"}]
                  persistence: %s
                  failureDetectionTimeout: 2s
                %s
                """.formatted(freePort(), dataDir, freePort(), persistence, extraYaml == null ? "" : extraYaml);
        ControllerConfig config = Documents.readYaml(yaml, ControllerConfig.class, "test");
        Controller controller = Controller.start(config, config.alerts().load(), Clock.systemUTC(), viewCheck,
                EventLoop.Listener.NONE);
        if (!controller.awaitReady(Duration.ofSeconds(60))) {
            controller.close();
            throw new IllegalStateException("the test controller did not become ready");
        }
        return new TestController(controller, dataDir);
    }

    /** A member a test started itself (one of a cluster), for the helpers here and for {@link FakeAgent}. */
    static TestController of(Controller member, Path dataDir) {
        return new TestController(member, dataDir);
    }

    Controller controller() {
        return controller;
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public String token(String role) throws IOException {
        return Files.readString(dataDir.resolve(role + ".token")).trim();
    }

    public int port() {
        return controller.port();
    }

    /** As if this member had been frozen for {@code gap} until now (the pause detector's hook). */
    void pauseNoticed(Duration gap) {
        controller.pauseNoticed(gap);
    }

    public HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        return send(method, path, token, body, Duration.ofSeconds(20));
    }

    /** A request that gives up after {@code timeout}: an agent's report to a controller that may be restarting. */
    public HttpResponse<String> send(String method, String path, String token, String body, Duration timeout)
            throws Exception {
        return send(method, path, token, body, timeout, Map.of());
    }

    /** A request with more headers. */
    public HttpResponse<String> send(String method, String path, String token, String body, Duration timeout,
                                     Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The answer's JSON, failing on anything but a 2xx. A read refused with a 503 and Retry-After is asked
     * again for a while, as a client does: a loaded machine stalls the member now and then, and it
     * does not serve reads until it has confirmed its view after such a stall.
     */
    public JsonNode json(String method, String path, String token, String body) throws Exception {
        HttpResponse<String> response = send(method, path, token, body);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (method.equals("GET") && response.statusCode() == 503
                && response.headers().firstValue("Retry-After").isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            response = send(method, path, token, body);
        }
        if (response.statusCode() >= 300) {
            throw new AssertionError(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return Documents.json().readTree(response.body());
    }

    @Override
    public void close() {
        controller.close();
    }
}
