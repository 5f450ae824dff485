package dev.vigil.provisioning.install;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.api.provisioning.AnsibleRun;
import dev.vigil.provisioning.inventory.AnsibleInventory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link ControllerNodes} over the controller's REST API: {@code GET /v1/nodes/NAME},
 * {@code POST /v1/nodes/NAME/drain} and {@code /resume}, with an operator's token.
 */
public final class ControllerRest implements ControllerNodes {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1).build();

    /** {@code url} without a trailing slash, e.g. http://ctl-1:8080; {@code token} may be null. */
    public ControllerRest(String url, String token) {
        this.url = url.replaceFirst("/+$", "");
        this.token = token;
    }

    @Override
    public Node node(String name) throws IOException, InterruptedException {
        HttpResponse<byte[]> answer = send(request("/v1/nodes/" + segment(name)).GET());
        if (answer.statusCode() == 404) {
            return null;
        }
        JsonNode node = body(answer);
        return new Node(node.path("name").asText(name), node.path("state").asText(null),
                node.path("agentVersion").asText(null));
    }

    /**
     * Every node, as an Ansible inventory needs it: one GET for the list (which names each node's pool and
     * leaf), one per node for its details.
     */
    public List<AnsibleInventory.Node> inventoryNodes() throws IOException, InterruptedException {
        List<AnsibleInventory.Node> nodes = new ArrayList<>();
        for (JsonNode summary : body(send(request("/v1/nodes").GET())).path("nodes")) {
            String name = summary.path("name").asText();
            JsonNode node = body(send(request("/v1/nodes/" + segment(name)).GET()));
            nodes.add(new AnsibleInventory.Node(name, text(summary.path("model")),
                    node.path("execution").isObject() ? text(node.at("/execution/backend")) : "none",
                    text(node.at("/inventory/backend")), text(node.path("state")), text(summary.path("pool")),
                    text(summary.path("leaf"))));
        }
        return nodes;
    }

    private static String text(JsonNode value) {
        return value.isMissingNode() || value.isNull() ? null : value.asText();
    }

    @Override
    public void drain(String name, String reason) throws IOException, InterruptedException {
        body(send(post("/v1/nodes/" + segment(name) + "/drain", reason)));
    }

    @Override
    public void resume(String name, String reason) throws IOException, InterruptedException {
        body(send(post("/v1/nodes/" + segment(name) + "/resume", reason)));
    }

    /**
     * Records an ansible-playbook run in the controller's audit log
     * ({@code POST /v1/provisioning/ansible-runs}); the answer is the audit entry's sequence number.
     */
    public long recordAnsibleRun(AnsibleRun run) throws IOException, InterruptedException {
        return body(send(request("/v1/provisioning/ansible-runs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(run))))).path("seq").asLong();
    }

    private HttpRequest.Builder post(String path, String reason) throws IOException {
        return request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(Map.of("reason", reason))));
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url + path)).timeout(TIMEOUT)
                .header("Accept", "application/json, application/problem+json");
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A success's JSON body; anything else is an IOException with the problem's title and detail. */
    private JsonNode body(HttpResponse<byte[]> answer) throws IOException {
        JsonNode body = answer.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(answer.body());
        if (answer.statusCode() / 100 != 2) {
            throw new IOException("controller " + url + " answered " + answer.statusCode() + " "
                    + body.path("title").asText("") + (body.has("detail") ? ": " + body.path("detail").asText() : ""));
        }
        return body;
    }

    private static String segment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
