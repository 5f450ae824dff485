package dev.vigil.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.vigil.api.Problem;
import dev.vigil.api.binding.Documents;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;

/**
 * The controller's REST API over HTTP/1.1 ({@code java.net.http}), 5 s to connect and 5 s for an
 * answer, with the bearer token when there is one. An answer that is not a success becomes a
 * {@link Failure} whose message is ready for the terminal: the problem's status, title and detail,
 * or why the controller could not be reached.
 */
final class ControllerClient {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** A newer controller may add fields: the CLI reads what it knows and leaves the rest. */
    private static final ObjectReader LENIENT = Documents.json().reader()
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final String url;
    private final String token;
    private final HttpClient http;

    ControllerClient(String url, String token) {
        this.url = url;
        this.token = token;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (url.startsWith("http://")) {
            builder.sslContext(withoutTls());
        }
        this.http = builder.build();
    }

    /**
     * For a client that only ever speaks plain HTTP (it follows no redirect): a TLS context that
     * trusts nothing, so that the JDK does not load and parse its trust store for nothing (about
     * 120 classes and 140 certificates at every CLI call).
     */
    private static SSLContext withoutTls() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[0], new TrustManager[0], null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JDK", e);
        }
    }

    String url() {
        return url;
    }

    /** A request that did not succeed, with the exit status it calls for. */
    static final class Failure extends Exception {
        private final int exitCode;
        private final transient Problem problem;
        private final int status;

        Failure(String message, int exitCode, Problem problem) {
            this(message, exitCode, problem, 0);
        }

        private Failure(String message, int exitCode, Problem problem, int status) {
            super(message);
            this.exitCode = exitCode;
            this.problem = problem;
            this.status = status;
        }

        /**
         * Whether asking again later may work: no answer at all (refused, timed out), or the
         * controller or a proxy in front of it is briefly unavailable (502, 503, 504).
         */
        boolean passing() {
            return status == -1 || status == 502 || status == 503 || status == 504;
        }

        int exitCode() {
            return exitCode;
        }

        /** The controller's problem document, or null when there was none (not reached, not JSON). */
        Problem problem() {
            return problem;
        }
    }

    /** A successful answer: its status and its JSON body. */
    record Answer(int status, byte[] body) {
        JsonNode tree() throws Failure {
            try {
                return Documents.json().readTree(body);
            } catch (IOException e) {
                throw new Failure("the answer is not JSON (is --url a Vigil controller?): " + e.getMessage(),
                        ExitCodes.FAILED, null);
            }
        }

        /** The body as a wire type; fields this CLI does not know are left out. */
        <T> T as(Class<T> type) throws Failure {
            try {
                return LENIENT.readValue(body, type);
            } catch (IOException | RuntimeException e) {
                throw new Failure("cannot read the controller's answer as " + type.getSimpleName()
                        + " (a newer controller? -o json prints it as is): " + e.getMessage(), ExitCodes.FAILED, null);
            }
        }

        /** The body as the API wrote it, pretty-printed. */
        String pretty() throws Failure {
            try {
                return Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(tree());
            } catch (JsonProcessingException e) {
                throw new Failure("cannot print the answer: " + e.getMessage(), ExitCodes.FAILED, null);
            }
        }
    }

    Answer get(String path) throws Failure, InterruptedException {
        return send(request(path).GET());
    }

    /** POSTs {@code body} as JSON: a map, or a wire type. */
    Answer post(String path, Object body) throws Failure, InterruptedException {
        return send(request(path).header("Content-Type", "application/json").POST(json(body)));
    }

    /**
     * POSTs a document as it is, e.g. a Kubernetes manifest as {@code application/yaml}, waiting up
     * to {@code timeout} for the answer.
     */
    Answer post(String path, byte[] body, String contentType, Duration timeout) throws Failure, InterruptedException {
        return send(request(path).timeout(timeout).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** PUTs {@code body} as JSON: a wire type that replaces what the path holds. */
    Answer put(String path, Object body) throws Failure, InterruptedException {
        return send(request(path).header("Content-Type", "application/json").PUT(json(body)));
    }

    private static HttpRequest.BodyPublisher json(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofByteArray(Documents.json().writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the request body", e);
        }
    }

    Answer delete(String path) throws Failure, InterruptedException {
        return send(request(path).DELETE());
    }

    /** A name as one path segment: letters, digits and {@code -._~} as they are, everything else escaped. */
    static String segment(String name) {
        StringBuilder escaped = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                escaped.append(c);
            } else {
                escaped.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return escaped.toString();
    }

    /** {@code ?a=1&b=x} from names and values, leaving out the null ones; empty when all are. */
    static String query(Object... namesAndValues) {
        StringBuilder query = new StringBuilder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) {
                query.append(query.length() == 0 ? '?' : '&').append(namesAndValues[i]).append('=')
                        .append(URLEncoder.encode(String.valueOf(namesAndValues[i + 1]), StandardCharsets.UTF_8));
            }
        }
        return query.toString();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url + path))
                .timeout(TIMEOUT)
                .header("Accept", "application/json, application/problem+json");
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private Answer send(HttpRequest.Builder builder) throws Failure, InterruptedException {
        HttpRequest request = builder.build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new Failure("cannot reach the controller at " + url + ": " + reason(e, request.timeout().orElse(TIMEOUT))
                    + " (is it running? set --url or VIGIL_URL)", ExitCodes.FAILED, null, -1);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return new Answer(status, response.body());
        }
        String location = response.headers().firstValue("Location").orElse(null);
        if (status >= 300 && status < 400 && location != null) {
            throw new Failure(status + ": " + url + " sends the commands to " + location + " (set --url to where it "
                    + "points: a redirect would carry the token elsewhere)", ExitCodes.CONFIG, null, status);
        }
        throw failure(status, response.headers().firstValue("Content-Type").orElse(""), response.body());
    }

    private Failure failure(int status, String contentType, byte[] body) {
        Problem problem = null;
        if (contentType.startsWith(Problem.MEDIA_TYPE) || contentType.startsWith("application/json")) {
            try {
                problem = LENIENT.readValue(body, Problem.class);
            } catch (IOException | RuntimeException e) {
                // Not a problem document after all: shown as text below.
            }
        }
        String message;
        if (problem != null && problem.title() != null) {
            message = status + " " + problem.title() + ": " + problem.detail();
        } else {
            String text = new String(body, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
            message = status + " " + (text.isEmpty() ? "(no body)" : "(" + contentType + ") "
                    + (text.length() > 200 ? text.substring(0, 200) + "..." : text))
                    + " (is " + url + " a Vigil controller?)";
        }
        if (status == 401) {
            message += "\n  hint: give a token with --token or VIGIL_TOKEN, or once with 'vigil context set --url "
                    + url + " --token-file FILE' (a new cluster writes its admin token to <dataDir>/admin.token)";
        }
        return new Failure(message, inputError(status) ? ExitCodes.CONFIG : ExitCodes.FAILED, problem, status);
    }

    /** Answers the person can fix by changing what they typed: a bad value, a name that does not exist. */
    private static boolean inputError(int status) {
        return status == 400 || status == 404 || status == 413 || status == 422;
    }

    private static String reason(IOException e, Duration timeout) {
        if (e instanceof HttpConnectTimeoutException) {
            return "no connection within " + TIMEOUT.toSeconds() + " s";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer within " + timeout.toSeconds() + " s";
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnknownHostException) {
                return "unknown host " + cause.getMessage();
            }
            if (cause instanceof ConnectException) {
                return cause.getMessage() == null ? "connection refused" : cause.getMessage();
            }
            if (cause instanceof SSLException) {
                return "TLS failed: " + cause.getMessage();
            }
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
