package dev.vigil.slurm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * slurmrestd over HTTP/1.1 with JWT headers. HTTP/1.1 is pinned: Java's default first request
 * offers an upgrade to HTTP/2 ({@code Upgrade: h2c}), which slurmrestd 22.05 answers with 405.
 */
final class Rest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Slurm errors that mean slurmctld could not be reached or was too slow: asking later may work. */
    private static final Set<Long> UNREACHABLE = Set.of(1007L, 1008L, 1009L, 1010L, 5004L);

    private final HttpClient http;
    private final SlurmConfig config;
    private final String base;
    private FileTime tokenRead;
    private String fileToken;

    Rest(SlurmConfig config) {
        this.config = config;
        String url = config.url().toString();
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** An answer: its status, its JSON body (missing when it was not JSON), and its text. */
    record Reply(int status, JsonNode body, String text) {
        /** Slurm's errors, each as "description (error)" or just one of the two. */
        List<Error> errors() {
            List<Error> errors = new ArrayList<>();
            for (JsonNode error : body.path("errors")) {
                String description = Shapes.text(error, "description");
                String summary = Shapes.text(error, "error");
                Long number = Shapes.number(error.has("error_number") ? error.path("error_number")
                        : error.path("error_code"));
                String message = description == null ? summary
                        : summary == null || description.contains(summary) ? description
                        : description + " (" + summary + ")";
                errors.add(new Error(message == null ? error.toString() : message, number == null ? 0 : number));
            }
            return errors;
        }
    }

    /** One entry of slurmrestd's {@code errors[]}. */
    record Error(String message, long number) {
    }

    /** Sends a request and returns whatever came back; only a failure to get an answer throws. */
    Reply send(String method, String path, JsonNode body, String request) throws SlurmException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(config.timeout())
                .header("Accept", "application/json")
                .header("X-SLURM-USER-NAME", config.user())
                .header("X-SLURM-USER-TOKEN", token(request));
        if (body != null) {
            builder.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw new SlurmException("no connection to slurmrestd at " + base + " within "
                    + config.timeout().toSeconds() + " s", request, true);
        } catch (HttpTimeoutException e) {
            throw new SlurmException("slurmrestd at " + base + " did not answer within "
                    + config.timeout().toSeconds() + " s", request, true);
        } catch (IOException e) {
            throw new SlurmException("cannot reach slurmrestd at " + base + ": " + reason(e), request, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SlurmException("interrupted while waiting for slurmrestd", request, true);
        }
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            json = MissingNode.getInstance();
        }
        return new Reply(response.statusCode(), json == null ? MissingNode.getInstance() : json, response.body());
    }

    /** Sends a request and returns its JSON body; Slurm's errors or a failed status throw. */
    JsonNode call(String method, String path, JsonNode body, String request) throws SlurmException {
        return check(send(method, path, body, request), request);
    }

    /** The body of a successful reply; otherwise a {@link SlurmException} with Slurm's words. */
    static JsonNode check(Reply reply, String request) throws SlurmException {
        List<Error> errors = reply.errors();
        if (errors.isEmpty() && reply.status() >= 200 && reply.status() < 300 && !reply.body().isMissingNode()) {
            return reply.body();
        }
        if (!errors.isEmpty()) {
            boolean retryable = errors.stream().anyMatch(e -> UNREACHABLE.contains(e.number())
                    || e.message().contains("Unable to contact slurm controller"));
            throw new SlurmException(String.join("; ", errors.stream().map(Error::message).distinct().toList()),
                    request, retryable);
        }
        String text = reply.text().strip().replaceAll("\\s+", " ");
        text = text.length() > 300 ? text.substring(0, 300) + "..." : text;
        String message = "slurmrestd answered HTTP " + reply.status() + (text.isEmpty() ? "" : ": " + text);
        if (reply.status() == 401) {
            message += " (make a token with 'scontrol token username=USER')";
        }
        throw new SlurmException(message, request, reply.status() == 502 || reply.status() == 503
                || reply.status() == 504);
    }

    /** The token, read again from {@code tokenFile} whenever the file changed. */
    private synchronized String token(String request) throws SlurmException {
        if (config.token() != null) {
            return config.token();
        }
        Path file = config.tokenFile();
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (!modified.equals(tokenRead)) {
                String text = Files.readString(file, StandardCharsets.UTF_8).strip();
                // scontrol token prints SLURM_JWT=...; take the file as scontrol wrote it or just the token
                fileToken = text.startsWith("SLURM_JWT=") ? text.substring("SLURM_JWT=".length()) : text;
                tokenRead = modified;
            }
            if (fileToken.isEmpty()) {
                throw new SlurmException("the token file " + file + " is empty", request, false);
            }
            return fileToken;
        } catch (IOException e) {
            throw new SlurmException("cannot read the token file " + file + ": " + reason(e), request, false);
        }
    }

    private static String reason(IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null) {
                return cause.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }
}
