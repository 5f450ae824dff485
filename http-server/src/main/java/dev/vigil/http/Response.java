package dev.vigil.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.vigil.api.Problem;
import dev.vigil.api.binding.Documents;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * What a handler answers: status, content type, body and extra headers; or an answer that comes
 * later ({@link #later}), so a handler that waits on something else holds no thread meanwhile.
 */
public final class Response {
    public static final String JSON = "application/json";

    private final int status;
    private final String contentType;
    private final byte[] body;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final CompletionStage<Response> later;

    private Response(int status, String contentType, byte[] body) {
        this(status, contentType, body, null);
    }

    private Response(int status, String contentType, byte[] body, CompletionStage<Response> later) {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
        this.later = later;
    }

    /**
     * The answer once {@code answer} completes; it must complete (bound it with a timeout), and
     * should complete normally: failing, it is answered as a server error.
     */
    public static Response later(CompletionStage<Response> answer) {
        return new Response(0, null, new byte[0], answer);
    }

    public static Response json(int status, Object value) {
        try {
            return new Response(status, JSON, Documents.json().writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static Response json(Object value) {
        return json(200, value);
    }

    public static Response text(int status, String text) {
        return new Response(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    public static Response bytes(int status, String contentType, byte[] body) {
        return new Response(status, contentType, body);
    }

    public static Response noContent() {
        return new Response(204, null, new byte[0]);
    }

    public static Response problem(Problem problem) {
        try {
            return new Response(problem.status(), Problem.MEDIA_TYPE, Documents.json().writeValueAsBytes(problem));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a problem document", e);
        }
    }

    public Response header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    public String contentType() {
        return contentType;
    }

    public byte[] body() {
        return body;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** The answer to wait for, or null when this is the answer. */
    CompletionStage<Response> pending() {
        return later;
    }
}
