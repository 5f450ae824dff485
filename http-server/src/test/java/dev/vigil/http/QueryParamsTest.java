package dev.vigil.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class QueryParamsTest {
    private static Request query(String name, String... values) {
        return new Request("GET", "/v1/events", Map.of(), Map.of(name, List.of(values)), new DefaultHttpHeaders(),
                new byte[0], null);
    }

    private static void assertBadRequest(Runnable read, String name, String value, String allowed) {
        ProblemException e = catchThrowableOfType(ProblemException.class, read::run);
        assertThat(e).as("%s=%s is refused", name, value).isNotNull();
        assertThat(e.problem().status()).isEqualTo(400);
        assertThat(e.problem().field()).isEqualTo(name);
        assertThat(e.problem().value()).isEqualTo(value);
        assertThat(e.problem().allowed()).isEqualTo(allowed);
        assertThat(e.problem().detail()).isEqualTo(name + ": \"" + value + "\" is not allowed (allowed: " + allowed
                + ")");
    }

    @Test
    void aWholeNumberWithinItsBoundsIsReadAndAnAbsentOneIsTheFallback() {
        assertThat(QueryParams.wholeNumber(query("limit", "1"), "limit", 1000, 1, 10_000)).isEqualTo(1);
        assertThat(QueryParams.wholeNumber(query("limit", "10000"), "limit", 1000, 1, 10_000)).isEqualTo(10_000);
        assertThat(QueryParams.wholeNumber(query("since", "0"), "limit", 1000, 1, 10_000)).isEqualTo(1000);
        assertThat(QueryParams.wholeNumber(query("since", String.valueOf(Long.MAX_VALUE)), "since", 0, 0,
                Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aNumberOutsideItsBoundsOrNotANumberNamesParameterValueAndBounds() {
        for (String bad : new String[]{"0", "10001", "-1", "abc", "", "1.5", "99999999999999999999"}) {
            assertBadRequest(() -> QueryParams.wholeNumber(query("limit", bad), "limit", 1000, 1, 10_000), "limit",
                    bad, "a whole number from 1 to 10000");
        }
    }

    @Test
    void aFlagIsTrueOrFalseAndFalseWhenAbsent() {
        assertThat(QueryParams.flag(query("replace", "true"), "replace")).isTrue();
        assertThat(QueryParams.flag(query("replace", "false"), "replace")).isFalse();
        assertThat(QueryParams.flag(query("gpu", "1"), "replace")).isFalse();
        for (String bad : new String[]{"yes", "TRUE", "1", ""}) {
            assertBadRequest(() -> QueryParams.flag(query("replace", bad), "replace"), "replace", bad,
                    "true or false");
        }
    }

    @Test
    void aParameterGivenTwiceIsRefusedNamingIt() {
        assertBadRequest(() -> QueryParams.wholeNumber(query("limit", "1", "2"), "limit", 1000, 1, 10_000), "limit",
                "1, 2", "one value (give the parameter once; lists are comma-separated where a parameter takes "
                        + "several)");
        assertBadRequest(() -> QueryParams.flag(query("replace", "true", "true"), "replace"), "replace",
                "true, true", "one value (give the parameter once; lists are comma-separated where a parameter "
                        + "takes several)");
    }
}
