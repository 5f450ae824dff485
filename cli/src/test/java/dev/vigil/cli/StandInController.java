package dev.vigil.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.vigil.api.Problem;
import dev.vigil.api.binding.Documents;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the controller's REST API on a free local port, for commands whose routes the
 * test scripts: each route ({@code GET /v1/runs?state=failed}, the query as sent) answers its
 * scripted answers in turn, and the last one again and again. It records every request; a route
 * with nothing scripted answers 500, so that a command asking the wrong thing fails its test.
 */
final class StandInController implements AutoCloseable {
    /** A request as it arrived: the query is part of the path, the body is text. */
    record Request(String method, String path, String body, String authorization) {
    }

    private record Answer(int status, String contentType, byte[] body) {
    }

    private final HttpServer server;
    private final Map<String, Deque<Answer>> answers = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    StandInController() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Scripts the next answer of {@code route} ({@code "POST /v1/runs/run-1/abort"}): a wire type, as JSON. */
    StandInController answer(String route, int status, Object body) throws IOException {
        return answer(route, new Answer(status, "application/json", Documents.json().writeValueAsBytes(body)));
    }

    /** Scripts a problem document as the next answer of {@code route}. */
    StandInController problem(String route, Problem problem) throws IOException {
        return answer(route, new Answer(problem.status(), Problem.MEDIA_TYPE, Documents.json().writeValueAsBytes(problem)));
    }

    private StandInController answer(String route, Answer answer) {
        Deque<Answer> scripted = answers.computeIfAbsent(route, r -> new ArrayDeque<>());
        synchronized (scripted) {
            scripted.add(answer);
        }
        return this;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath() + (exchange.getRequestURI().getRawQuery() == null ? ""
                : "?" + exchange.getRequestURI().getRawQuery());
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(new Request(exchange.getRequestMethod(), path, body,
                exchange.getRequestHeaders().getFirst("Authorization")));
        Answer answer = next(exchange.getRequestMethod() + " " + path);
        exchange.getResponseHeaders().set("Content-Type", answer.contentType());
        exchange.sendResponseHeaders(answer.status(), answer.body().length);
        exchange.getResponseBody().write(answer.body());
        exchange.close();
    }

    private Answer next(String route) {
        Deque<Answer> scripted = answers.get(route);
        if (scripted == null) {
            return new Answer(500, "text/plain", ("nothing scripted for " + route).getBytes(StandardCharsets.UTF_8));
        }
        synchronized (scripted) {
            return scripted.size() > 1 ? scripted.poll() : scripted.peek();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
