package dev.vigil.api.binding;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DocumentsTest {
    enum Mode { FAST_PATH, SLOW }

    record Inner(Integer gpu, Duration every) {
        Inner {
            if (gpu != null) {
                InvalidValueException.require(gpu >= 0 && gpu < 8, "gpu", gpu, "0 to 7");
            }
        }
    }

    record Outer(String name, Mode mode, Inner inner, List<Inner> list, Boolean flag) {
        Outer {
            InvalidValueException.required(name, "name", "a node name");
        }
    }

    private static InvalidDocumentException failure(String yaml) {
        try {
            Documents.readYaml(yaml, Outer.class, "test.yaml");
        } catch (InvalidDocumentException e) {
            return e;
        }
        throw new AssertionError("expected the document to be refused: " + yaml);
    }

    @Test
    void bindsAWellFormedDocument() {
        Outer outer = Documents.readYaml("""
                name: n1
                mode: fast-path
                inner: {gpu: 3, every: 1h30m}
                list: [{gpu: 0}, {every: 250ms}]
                flag: true
                """, Outer.class, "test.yaml");
        assertThat(outer.mode()).isEqualTo(Mode.FAST_PATH);
        assertThat(outer.inner().every()).isEqualTo(Duration.ofMinutes(90));
        assertThat(outer.list().get(1).every()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void aNullInAListIsRefusedNamingItsPlace() {
        InvalidDocumentException yaml = failure("name: n1\nlist: [{gpu: 0}, null]\n");
        assertThat(yaml.field()).isEqualTo("list[1]");
        assertThat(yaml.allowed()).isNotBlank();
        assertThat(yaml.getMessage()).contains("list[1]").contains("null");

        assertThatThrownBy(() -> Documents.readJson("{\"name\": \"n1\", \"list\": [null]}"
                .getBytes(StandardCharsets.UTF_8), Outer.class, "body"))
                .isInstanceOfSatisfying(InvalidDocumentException.class, json -> {
                    assertThat(json.field()).isEqualTo("list[0]");
                    assertThat(json.allowed()).isNotBlank();
                });
    }

    @Test
    void unknownKeyNamesThePathAndTheAllowedKeys() {
        InvalidDocumentException e = failure("name: n1\ninner: {gpu: 1, evry: 1s}\n");
        assertThat(e.field()).isEqualTo("inner.evry");
        assertThat(e.getMessage()).isEqualTo(
                "test.yaml: unknown key \"inner.evry\" (allowed keys under inner: every, gpu)");
    }

    @Test
    void aMisspeltRequiredKeyIsReportedAsUnknownNotMissing() {
        InvalidDocumentException e = failure("nme: n1\n");
        assertThat(e.field()).isEqualTo("nme");
        assertThat(e.getMessage()).isEqualTo(
                "test.yaml: unknown key \"nme\" (allowed keys: flag, inner, list, mode, name)");
    }

    @Test
    void badEnumNamesTheValueAndTheConstants() {
        InvalidDocumentException e = failure("name: n1\nmode: turbo\n");
        assertThat(e.field()).isEqualTo("mode");
        assertThat(e.value()).isEqualTo("turbo");
        assertThat(e.allowed()).isEqualTo("one of fast-path, slow");
    }

    @Test
    void recordValidationIsPrefixedWithThePath() {
        InvalidDocumentException e = failure("name: n1\nlist: [{gpu: 1}, {gpu: 9}]\n");
        assertThat(e.field()).isEqualTo("list[1].gpu");
        assertThat(e.getMessage()).isEqualTo("test.yaml: list[1].gpu: \"9\" is not allowed (allowed: 0 to 7)");
    }

    @Test
    void missingRequiredFieldIsNamed() {
        InvalidDocumentException e = failure("mode: slow\n");
        assertThat(e.getMessage()).isEqualTo("test.yaml: name: missing (required: a node name)");
    }

    @Test
    void durationWithoutUnitIsRefused() {
        InvalidDocumentException e = failure("name: n1\ninner: {every: 5}\n");
        assertThat(e.field()).isEqualTo("inner.every");
        assertThat(e.allowed()).contains("500ms");
    }

    @Test
    void wrongKindOfValueIsNamed() {
        InvalidDocumentException e = failure("name: n1\ninner: [1, 2]\n");
        assertThat(e.field()).isEqualTo("inner");
        assertThat(e.allowed()).isEqualTo("a mapping of keys");
        InvalidDocumentException number = failure("name: n1\ninner: {gpu: two}\n");
        assertThat(number.field()).isEqualTo("inner.gpu");
        assertThat(number.allowed()).isEqualTo("a whole number");
        assertThat(failure("name: n1\ninner: {gpu: 2.5}\n").field()).isEqualTo("inner.gpu");
    }

    @Test
    void duplicateKeysAreRefusedRatherThanSilentlyOverwritten() {
        InvalidDocumentException e = failure("name: n1\nname: n2\n");
        assertThat(e.getMessage()).contains("line 2").contains("name");
    }

    @Test
    void syntaxErrorsSayWhere() {
        InvalidDocumentException e = failure("name: n1\n  inner: : :\n");
        assertThat(e.getMessage()).startsWith("test.yaml: line 2");
    }

    @Test
    void jsonBodiesUseTheSameRules() {
        assertThatThrownBy(() -> Documents.readJson("{\"name\":\"a\",\"x\":1}".getBytes(), Outer.class, "request body"))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessageStartingWith("request body: unknown key \"x\"");
        assertThatThrownBy(() -> Documents.readJson(new byte[0], Outer.class, "request body"))
                .hasMessageContaining("empty body");
    }

    record Reading(Double celsius, Long seq, Instant at, String gpu, Boolean ok) {
    }

    private static InvalidDocumentException jsonFailure(String json) {
        try {
            Documents.readJson(json.getBytes(StandardCharsets.UTF_8), Outer.class, "request body");
        } catch (InvalidDocumentException e) {
            return e;
        }
        throw new AssertionError("expected the body to be refused: " + json);
    }

    private static InvalidDocumentException readingFailure(String json) {
        try {
            Documents.readJson(json.getBytes(StandardCharsets.UTF_8), Reading.class, "request body");
        } catch (InvalidDocumentException e) {
            return e;
        }
        throw new AssertionError("expected the body to be refused: " + json);
    }

    @Test
    void aNumberTooLargeForItsFieldNamesTheFieldAndTheRange() {
        InvalidDocumentException e = jsonFailure("{\"name\":\"a\",\"list\":[{\"gpu\":1},{\"gpu\":9223372036854775808}]}");
        assertThat(e.field()).isEqualTo("list[1].gpu");
        assertThat(e.value()).isEqualTo("9223372036854775808");
        assertThat(e.allowed()).isEqualTo("a whole number from -2147483648 to 2147483647");
        InvalidDocumentException top = readingFailure("{\"seq\":92233720368547758070}");
        assertThat(top.field()).isEqualTo("seq");
        assertThat(top.allowed()).contains("9223372036854775807");
    }

    @Test
    void nanAndInfinityNameTheField() {
        InvalidDocumentException nan = readingFailure("{\"gpu\":\"0\",\"celsius\":NaN}");
        assertThat(nan.field()).isEqualTo("celsius");
        assertThat(nan.value()).isEqualTo("NaN");
        assertThat(nan.getMessage()).doesNotContain("JsonReadFeature");
        assertThat(readingFailure("{\"celsius\":-Infinity}").field()).isEqualTo("celsius");
        assertThat(jsonFailure("{\"name\":\"a\",\"inner\":{\"gpu\":Infinity}}").field()).isEqualTo("inner.gpu");
    }

    @Test
    void jsonScalarsAreNotCoerced() {
        InvalidDocumentException number = jsonFailure("{\"name\":\"a\",\"inner\":{\"gpu\":\"1\"}}");
        assertThat(number.field()).isEqualTo("inner.gpu");
        assertThat(number.allowed()).isEqualTo("a whole number");
        assertThat(number.value()).isEqualTo("1");
        InvalidDocumentException text = jsonFailure("{\"name\":123}");
        assertThat(text.field()).isEqualTo("name");
        assertThat(text.value()).isEqualTo("123");
        assertThat(text.allowed()).isEqualTo("a string");
        assertThat(jsonFailure("{\"name\":\"a\",\"flag\":\"true\"}").field()).isEqualTo("flag");
        assertThat(jsonFailure("{\"name\":\"a\",\"flag\":1}").field()).isEqualTo("flag");
        assertThat(jsonFailure("{\"name\":\"a\",\"inner\":{\"gpu\":\"\"}}").field()).isEqualTo("inner.gpu");
        assertThat(readingFailure("{\"celsius\":\"1.5\"}").field()).isEqualTo("celsius");
        assertThat(readingFailure("{\"gpu\":1.5}").field()).isEqualTo("gpu");
        assertThat(readingFailure("{\"gpu\":true}").field()).isEqualTo("gpu");
        // A whole number is a number: a double field takes it.
        assertThat(Documents.readJson("{\"celsius\":1}".getBytes(StandardCharsets.UTF_8), Reading.class, "b").celsius())
                .isEqualTo(1.0);
    }

    @Test
    void yamlKeepsItsScalarCoercions() {
        assertThat(Documents.readYaml("name: 123\n", Outer.class, "test.yaml").name()).isEqualTo("123");
    }

    @Test
    void timesAreIsoTextNotNumbers() {
        InvalidDocumentException e = readingFailure("{\"at\":123}");
        assertThat(e.field()).isEqualTo("at");
        assertThat(e.value()).isEqualTo("123");
        assertThat(e.allowed()).contains("ISO-8601");
        assertThat(readingFailure("{\"at\":\"yesterday\"}").field()).isEqualTo("at");
        assertThat(Documents.readJson("{\"at\":\"2026-12-06T14:00:00+01:00\"}".getBytes(StandardCharsets.UTF_8),
                Reading.class, "b").at()).isEqualTo(Instant.parse("2026-12-06T13:00:00Z"));
    }

    @Test
    void theEmptyKeyIsNamedSoThePathIsNeverEmpty() {
        assertThat(jsonFailure("{\"name\":\"a\",\"\":1}").field()).isEqualTo("[\"\"]");
        assertThat(jsonFailure("{\"\":1}").field()).isEqualTo("[\"\"]");
        assertThat(jsonFailure("{\"name\":\"a\",\"inner\":{\"\":1}}").field()).isEqualTo("inner[\"\"]");
    }

    @Test
    void aSyntaxErrorNamesTheFieldTheParserWasIn() {
        InvalidDocumentException e = jsonFailure("{\"name\":\"a\",\"inner\":{\"gpu\": tru}}");
        assertThat(e.field()).isEqualTo("inner.gpu");
        assertThat(e.getMessage()).contains("line 1");
    }

    @Test
    void writesEnumsAndDurationsTheWayItReadsThem() throws JsonProcessingException {
        String json = Documents.json().writeValueAsString(
                new Outer("n", Mode.FAST_PATH, new Inner(1, Duration.ofSeconds(90)), List.of(), null));
        assertThat(json).isEqualTo("{\"name\":\"n\",\"mode\":\"fast-path\",\"inner\":{\"gpu\":1,\"every\":\"90s\"},\"list\":[]}");
        assertThat(Documents.readJson(json.getBytes(), Outer.class, "x").inner().every()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void durationFormatsAreExactAndShortest() {
        assertThat(HumanDurations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(HumanDurations.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(HumanDurations.format(Duration.ofHours(48))).isEqualTo("48h");
        assertThat(HumanDurations.parse("1d2h", "x")).isEqualTo(Duration.ofHours(26));
        assertThatThrownBy(() -> HumanDurations.parse("1 s", "x")).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> HumanDurations.parse("-1s", "x")).isInstanceOf(InvalidValueException.class);
    }
}
