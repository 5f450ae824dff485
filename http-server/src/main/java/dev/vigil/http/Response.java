package dev.vigil.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.vigil.api.Problem;
import dev.vigil.api.binding.Documents;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a handler answers: status, content type, body and extra headers. */
public final class Response {
    public static final String JSON = "application/json";

    private final int status;
    private final String contentType;
    private final byte[] body;
    private final Map<String, String> headers = new LinkedHashMap<>();

    private Response(int status, String contentType, byte[] body) {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
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
}
