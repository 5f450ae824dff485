package dev.vigil.api.binding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextFieldsTest {

    @Test
    void aLineIsOneToMaxCharactersWithoutControlCharacters() {
        assertThat(TextFields.line("team a", "tenant", 6)).isEqualTo("team a");
        assertThat(TextFields.line(null, "tenant", 6)).isNull();
        assertThatThrownBy(() -> TextFields.line("team ab", "tenant", 6))
                .isInstanceOf(InvalidValueException.class)
                .hasMessage("tenant: \"team ab\" is not allowed (allowed: 1 to 6 characters without control "
                        + "characters)");
        assertThatThrownBy(() -> TextFields.line("  ", "tenant", 6)).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> TextFields.line("a\u001b[2J", "tenant", 6))
                .isInstanceOf(InvalidValueException.class);
    }

    @Test
    void aRefusedLongValueIsShownCut() {
        String long100 = "x".repeat(100);
        assertThatThrownBy(() -> TextFields.line(long100, "reason", 90))
                .isInstanceOfSatisfying(InvalidValueException.class,
                        e -> assertThat(e.value()).hasSize(80).endsWith("..."));
        String long80 = "y".repeat(80);
        assertThatThrownBy(() -> TextFields.line(long80, "reason", 79))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.value()).isEqualTo(long80));
    }

    @Test
    void textIsUpToMaxCharactersWithoutNul() {
        assertThat(TextFields.text("", "args[0]", 3)).isEmpty();
        assertThat(TextFields.text("a\nb", "args[0]", 3)).isEqualTo("a\nb");
        assertThatThrownBy(() -> TextFields.text("abcd", "args[0]", 3))
                .hasMessage("args[0]: \"abcd\" is not allowed (allowed: up to 3 characters without NUL)");
        assertThatThrownBy(() -> TextFields.text("\0", "args[0]", 3)).isInstanceOf(InvalidValueException.class);
    }

    @Test
    void listsAndMapsAreBoundedAndNamedByTheirSize() {
        assertThat(TextFields.list(List.of(1, 2), "gpus", 2)).hasSize(2);
        assertThat(TextFields.map(Map.of("a", 1), "labels", 1)).hasSize(1);
        assertThat(TextFields.list(null, "gpus", 2)).isNull();
        assertThatThrownBy(() -> TextFields.list(List.of(1, 2, 3), "gpus", 2))
                .hasMessage("gpus: \"3 items\" is not allowed (allowed: up to 2 items)");
        assertThatThrownBy(() -> TextFields.map(Map.of("a", 1, "b", 2), "labels", 1))
                .hasMessage("labels: \"2 entries\" is not allowed (allowed: up to 1 entries)");
    }

    @Test
    void anIdentifierStartsWithALetterOrDigitAndFitsALabel() {
        assertThat(TextFields.identifier("a" + "b".repeat(62), "pool")).hasSize(63);
        assertThatThrownBy(() -> TextFields.identifier("a" + "b".repeat(63), "pool"))
                .isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> TextFields.identifier("-a", "pool")).hasMessageContaining(
                TextFields.IDENTIFIER_ALLOWED);
    }
}
