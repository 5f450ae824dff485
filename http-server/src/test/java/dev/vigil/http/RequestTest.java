package dev.vigil.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class RequestTest {
    record Thing(String name) {
    }

    private static Request post(String contentType, String body) {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (contentType != null) {
            headers.set("Content-Type", contentType);
        }
        return new Request("POST", "/v1/things", Map.of(), Map.of(), headers, body.getBytes(StandardCharsets.UTF_8),
                null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "Application/JSON", "application/json; charset=utf-8",
            "application/json;charset=UTF-8", "application/json; charset=\"utf-8\""})
    void jsonBodiesAreRead(String contentType) {
        assertThat(post(contentType, "{\"name\":\"a\"}").body(Thing.class).name()).isEqualTo("a");
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
            "application/json-patch+json", "application/json; charset=iso-8859-1", "", "application/jsonx"})
    void otherContentTypesAre415s(String contentType) {
        ProblemException e = catchThrowableOfType(ProblemException.class,
                () -> post(contentType, "{\"name\":\"a\"}").body(Thing.class));
        assertThat(e.problem().status()).isEqualTo(415);
        assertThat(e.problem().field()).isEqualTo("Content-Type");
        assertThat(e.problem().value()).isEqualTo(contentType);
        assertThat(e.problem().allowed()).startsWith("application/json");
    }

    @Test
    void aBodyWithoutContentTypeIsA415() {
        ProblemException e = catchThrowableOfType(ProblemException.class,
                () -> post(null, "{\"name\":\"a\"}").body(Thing.class));
        assertThat(e.problem().status()).isEqualTo(415);
        assertThat(e.problem().detail()).contains("missing");
    }

    @Test
    void aRepeatedQueryParameterIsRefusedNamingIt() {
        Request request = new Request("DELETE", "/v1/faults", Map.of(), Map.of("gpu", List.of("1", "2"),
                "node", List.of("n1")), new DefaultHttpHeaders(), new byte[0], null);
        assertThat(request.queryParam("node")).isEqualTo("n1");
        assertThat(request.queryParam("absent")).isNull();
        assertThatThrownBy(() -> request.queryParam("gpu")).isInstanceOfSatisfying(ProblemException.class, e -> {
            assertThat(e.problem().status()).isEqualTo(400);
            assertThat(e.problem().field()).isEqualTo("gpu");
            assertThat(e.problem().value()).isEqualTo("1, 2");
        });
    }
}
