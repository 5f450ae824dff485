package dev.vigil.alerts.rules;

import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TemplateTest {
    @Test
    void replacesNamesKeepsLiteralDollarsAndRendersMissingValuesEmpty() {
        Template template = Template.parse("GPU ${gpu} on ${node} costs $$${value}/h; job ${job}", "summary",
                Set.of("gpu", "node", "value", "job"));
        assertThat(template.render(Map.of("gpu", "3", "node", "n1", "value", "2.5")))
                .isEqualTo("GPU 3 on n1 costs $2.5/h; job ");
    }

    @Test
    void refusesUnknownNamesAndAStrayDollar() {
        assertThatThrownBy(() -> Template.parse("at ${temp}", "summary", Set.of("value")))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> {
                    assertThat(e.field()).isEqualTo("summary");
                    assertThat(e.allowed()).contains("value");
                });
        assertThatThrownBy(() -> Template.parse("costs $5", "summary", Set.of("value")))
                .isInstanceOf(InvalidValueException.class);
    }

    @Test
    void numbersReadLikeAPersonWroteThem() {
        assertThat(Template.number(87.0)).isEqualTo("87");
        assertThat(Template.number(87.349)).isEqualTo("87.35");
        assertThat(Template.number(0.5)).isEqualTo("0.5");
        assertThat(Template.number(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(Template.number(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
        assertThat(Template.number(1e20)).as("beyond a long's digits").isEqualTo("100000000000000000000");
    }

    @Test
    void aTemplateWithoutNamesRendersAsWritten() {
        assertThat(Template.parse("the fleet is short of GPUs", "summary", Set.of()).render(Map.of()))
                .isEqualTo("the fleet is short of GPUs");
    }
}
