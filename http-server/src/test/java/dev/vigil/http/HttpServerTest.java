package dev.vigil.http;

import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HttpServerTest {
    record Thing(String name, Integer size) {
        Thing {
            InvalidValueException.required(name, "name", "a name");
        }
    }

    private static HttpServer server;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        Router router = new Router()
                .get("/v1/things/{name}", r -> Response.json(Map.of("name", r.pathParam("name"))))
                .post("/v1/things", r -> Response.json(201, r.body(Thing.class)))
                .get("/v1/boom", r -> {
                    throw new IllegalStateException("secret internal detail");
                })
                .get("/v1/gone", r -> {
                    throw ProblemException.notFound("no such thing");
                });
        server = HttpServer.serving(router).maxBodyBytes(1024).start(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void routesWithDecodedPathParameters() throws Exception {
        HttpResponse<String> response = send("GET", "/v1/things/gpu%20node", null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"name\":\"gpu node\"}");
    }

    @Test
    void unknownRouteIsA404Problem() throws Exception {
        HttpResponse<String> response = send("GET", "/v1/nothing", null);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("\"instance\":\"/v1/nothing\"");
    }

    @Test
    void wrongMethodIsA405WithAllow() throws Exception {
        HttpResponse<String> response = send("DELETE", "/v1/things/x", null);
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("GET");
    }

    @Test
    void badBodiesAre400sNamingTheField() throws Exception {
        HttpResponse<String> unknown = send("POST", "/v1/things", "{\"name\":\"a\",\"colour\":\"red\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("\"field\":\"colour\"");
        HttpResponse<String> missing = send("POST", "/v1/things", "{\"size\":1}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("\"field\":\"name\"");
        HttpResponse<String> broken = send("POST", "/v1/things", "{\"name\":");
        assertThat(broken.statusCode()).isEqualTo(400);
        HttpResponse<String> type = send("POST", "/v1/things", "{\"name\":\"a\",\"size\":\"big\"}");
        assertThat(type.statusCode()).isEqualTo(400);
        assertThat(type.body()).contains("\"field\":\"size\"").contains("\"value\":\"big\"");
    }

    @Test
    void oversizedBodyIsA413Problem() throws Exception {
        HttpResponse<String> response = send("POST", "/v1/things", "{\"name\":\"" + "x".repeat(2000) + "\"}");
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("larger than 1024 bytes");
    }

    @Test
    void handlerProblemsKeepTheirStatusAndABugIsA500() throws Exception {
        assertThat(send("GET", "/v1/gone", null).statusCode()).isEqualTo(404);
        HttpResponse<String> bug = send("GET", "/v1/boom", null);
        assertThat(bug.statusCode()).isEqualTo(500);
        assertThat(bug.body()).doesNotContain("secret internal detail");
    }

    @Test
    void createdBodiesRoundTrip() throws Exception {
        HttpResponse<String> response = send("POST", "/v1/things", "{\"name\":\"a\",\"size\":3}");
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.body()).isEqualTo("{\"name\":\"a\",\"size\":3}");
    }
}
