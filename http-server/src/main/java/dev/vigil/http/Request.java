package dev.vigil.http;

import dev.vigil.api.Problem;
import dev.vigil.api.binding.Documents;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpUtil;

import java.net.SocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request as handlers see it: the matched path parameters, the query, headers and the whole
 * body (bodies are bounded by the server's limit).
 */
public record Request(String method, String path, Map<String, String> pathParams, Map<String, List<String>> query,
                      HttpHeaders headers, byte[] body, SocketAddress remote) {
    /** What a JSON body's Content-Type may be. */
    static final String JSON_ALLOWED = "application/json (optionally with charset=utf-8)";

    /** A path parameter from the route pattern, e.g. {@code {node}}. */
    public String pathParam(String name) {
        return pathParams.get(name);
    }

    /**
     * The value of a query parameter, or null. A parameter given twice is a 400 naming it: keeping
     * one of the values would act on less than the caller asked for ({@code ?gpu=1&gpu=2}).
     */
    public String queryParam(String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw ProblemException.badRequest(name, String.join(", ", values),
                    "one value (give the parameter once; lists are comma-separated where a parameter takes several)");
        }
        return values.get(0);
    }

    public String header(String name) {
        return headers.get(name);
    }

    /**
     * The JSON body bound to {@code type}; a bad body becomes a 400 problem naming the field. The
     * body must say it is JSON: a 415 otherwise, so that a web page's form post (a "simple"
     * request a browser sends cross-site without asking) cannot reach a JSON route.
     */
    public <T> T body(Class<T> type) {
        requireJson();
        return Documents.readJson(body, type, "request body");
    }

    private void requireJson() {
        String contentType = header("Content-Type");
        String mime = contentType == null ? null : HttpUtil.getMimeType(contentType) == null ? contentType.strip()
                : HttpUtil.getMimeType(contentType).toString().strip();
        CharSequence charset = contentType == null ? null : HttpUtil.getCharsetAsSequence(contentType);
        boolean json = mime != null && mime.toLowerCase(Locale.ROOT).equals("application/json")
                && (charset == null || List.of("utf-8", "utf8").contains(charset.toString().strip().replace("\"", "")
                .toLowerCase(Locale.ROOT)));
        if (!json) {
            throw new ProblemException(new Problem("/problems/unsupported-media-type", "Unsupported media type", 415,
                    "Content-Type: " + (contentType == null ? "missing" : "\"" + contentType + "\" is not allowed")
                            + " (allowed: " + JSON_ALLOWED + ")", null, "Content-Type", contentType, JSON_ALLOWED));
        }
    }
}
