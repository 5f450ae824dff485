package dev.vigil.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A handler's answer that comes later holds none of the server's handler threads meanwhile. */
class LaterAnswerTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final CompletableFuture<Response> held = new CompletableFuture<>();
    private ExecutorService oneThread;
    private HttpServer server;

    @BeforeEach
    void start() {
        oneThread = Executors.newSingleThreadExecutor();
        Router router = new Router()
                .get("/v1/held", r -> Response.later(held))
                .get("/v1/failing", r -> Response.later(CompletableFuture.failedFuture(new IllegalStateException("lost"))))
                .get("/v1/now", r -> Response.json(Map.of("answered", "now")));
        server = HttpServer.serving(router).handlers(oneThread).start(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        server.close();
        oneThread.shutdownNow();
    }

    private CompletableFuture<HttpResponse<String>> get(String path) {
        return CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void otherRequestsAreAnsweredWhileOneWaitsAndItIsAnsweredWhenItsAnswerComes() throws Exception {
        CompletableFuture<HttpResponse<String>> waiting = get("/v1/held");

        // the only handler thread is free: the server answers the next request while the first waits
        HttpResponse<String> now = get("/v1/now").get(10, TimeUnit.SECONDS);
        assertThat(now.body()).isEqualTo("{\"answered\":\"now\"}");
        assertThat(waiting).isNotDone();

        held.complete(Response.json(202, Map.of("answered", "later")));
        HttpResponse<String> later = waiting.get(10, TimeUnit.SECONDS);
        assertThat(later.statusCode()).isEqualTo(202);
        assertThat(later.body()).isEqualTo("{\"answered\":\"later\"}");
    }

    @Test
    void anAnswerThatFailsIsA500ProblemWithoutItsDetail() throws Exception {
        HttpResponse<String> failed = get("/v1/failing").get(10, TimeUnit.SECONDS);

        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(failed.body()).contains("\"instance\":\"/v1/failing\"").doesNotContain("lost");
    }
}
