package dev.vigil.http;

import dev.vigil.api.binding.Documents;
import io.netty.handler.codec.http.HttpHeaders;

import java.net.SocketAddress;
import java.util.List;
import java.util.Map;

/**
 * A request as handlers see it: the matched path parameters, the query, headers and the whole
 * body (bodies are bounded by the server's limit).
 */
public record Request(String method, String path, Map<String, String> pathParams, Map<String, List<String>> query,
                      HttpHeaders headers, byte[] body, SocketAddress remote) {

    /** A path parameter from the route pattern, e.g. {@code {node}}. */
    public String pathParam(String name) {
        return pathParams.get(name);
    }

    /** The first value of a query parameter, or null. */
    public String queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public String header(String name) {
        return headers.get(name);
    }

    /** The JSON body bound to {@code type}; a bad body becomes a 400 problem naming the field. */
    public <T> T body(Class<T> type) {
        return Documents.readJson(body, type, "request body");
    }
}
