package dev.vigil.alerts.notify;

import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** How a receiver's answer is judged: taken, worth retrying (and when), or refused. */
class JsonPostTest {
    private static HttpResponse<String> answer(int status, String body, String retryAfter) {
        HttpHeaders headers = HttpHeaders.of(retryAfter == null ? Map.of() : Map.of("Retry-After", List.of(retryAfter)),
                (name, value) -> true);
        return new HttpResponse<>() {
            @Override public int statusCode() { return status; }
            @Override public HttpRequest request() { return null; }
            @Override public Optional<HttpResponse<String>> previousResponse() { return Optional.empty(); }
            @Override public HttpHeaders headers() { return headers; }
            @Override public String body() { return body; }
            @Override public Optional<SSLSession> sslSession() { return Optional.empty(); }
            @Override public URI uri() { return URI.create("http://127.0.0.1:1/"); }
            @Override public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
        };
    }

    @Test
    void every2xxIsTakenAndA3xxIsRefused() {
        assertThat(JsonPost.judge(answer(200, "", null))).isEqualTo(new Outcome.Sent(200));
        assertThat(JsonPost.judge(answer(299, "", null))).isEqualTo(new Outcome.Sent(299));
        assertThat(JsonPost.judge(answer(300, "", null))).isEqualTo(new Outcome.Failed("HTTP 300"));
    }

    @Test
    void timeoutsRateLimitsAndServerErrorsAreRetriedOtherClientErrorsAreNot() {
        assertThat(JsonPost.judge(answer(408, "", null))).isInstanceOf(Outcome.Retry.class);
        assertThat(JsonPost.judge(answer(429, "", null))).isInstanceOf(Outcome.Retry.class);
        assertThat(JsonPost.judge(answer(500, "", null))).isInstanceOf(Outcome.Retry.class);
        assertThat(JsonPost.judge(answer(499, "", null))).isInstanceOf(Outcome.Failed.class);
    }

    @Test
    void retryAfterIsTakenInWholeSecondsUpToAnHour() {
        assertThat(JsonPost.judge(answer(429, "", "0"))).isEqualTo(new Outcome.Retry("HTTP 429", Duration.ZERO));
        assertThat(JsonPost.judge(answer(429, "", " 30 "))).isEqualTo(new Outcome.Retry("HTTP 429",
                Duration.ofSeconds(30)));
        assertThat(JsonPost.judge(answer(503, "", "7200"))).isEqualTo(new Outcome.Retry("HTTP 503", Duration.ofHours(1)));
        assertThat(JsonPost.judge(answer(503, "", "-5"))).isEqualTo(new Outcome.Retry("HTTP 503", null));
        assertThat(JsonPost.judge(answer(503, "", "Wed, 21 Oct 2026 07:28:00 GMT")))
                .isEqualTo(new Outcome.Retry("HTTP 503", null));
    }

    @Test
    void theAnswersBodyIsKeptOnOneLineAndCutAfter300Characters() {
        assertThat(JsonPost.judge(answer(400, "{\"status\": \"invalid\",\n \"errors\": []}", null)))
                .isEqualTo(new Outcome.Failed("HTTP 400: {'status': 'invalid', 'errors': []}"));
        String exactly300 = "x".repeat(300);
        assertThat(JsonPost.judge(answer(400, exactly300, null)))
                .isEqualTo(new Outcome.Failed("HTTP 400: " + exactly300));
        assertThat(JsonPost.judge(answer(400, exactly300 + "y", null)))
                .isEqualTo(new Outcome.Failed("HTTP 400: " + exactly300 + "..."));
    }
}
