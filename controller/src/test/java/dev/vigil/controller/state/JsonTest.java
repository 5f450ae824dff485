package dev.vigil.controller.state;

import dev.vigil.api.cluster.Role;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {
    private static final TokenRecord TOKEN = new TokenRecord("0123456789", "ci", Role.ADMIN, "ab",
            Instant.parse("2026-12-06T00:00:00Z"));

    @Test
    void whatIsWrittenReadsBackAsItWas() {
        assertThat(Json.read(Json.write(TOKEN), TokenRecord.class)).isEqualTo(TOKEN);
        assertThat(Json.read(Json.tree(TOKEN), TokenRecord.class)).isEqualTo(TOKEN);
    }

    /** A member reads what a newer member wrote. */
    @Test
    void unknownFieldsAreIgnored() {
        String newer = Json.write(TOKEN).replaceFirst("\\{", "{\"addedLater\":1,");

        assertThat(Json.read(newer, TokenRecord.class)).isEqualTo(TOKEN);
        assertThat(Json.read(((com.fasterxml.jackson.databind.node.ObjectNode) Json.tree(TOKEN)).put("addedLater", 1), TokenRecord.class)).isEqualTo(TOKEN);
    }

    @Test
    void aNullTreeReadsAsNull() {
        assertThat(Json.read((com.fasterxml.jackson.databind.JsonNode) null, TokenRecord.class)).isNull();
    }

    @Test
    void unreadableJsonNamesTheTypeItWasFor() {
        assertThatThrownBy(() -> Json.read("{not json", TokenRecord.class))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("unreadable TokenRecord: ");
        assertThatThrownBy(() -> Json.read(Json.tree("text"), TokenRecord.class))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("unreadable TokenRecord: ");
    }

    @Test
    void whatCannotBeWrittenIsNamed() {
        assertThatThrownBy(() -> Json.write(new Unwritable()))
                .isInstanceOf(IllegalStateException.class).hasMessage("cannot write Unwritable");
    }

    /** A value whose property cannot be read. */
    private static final class Unwritable {
        public String getBroken() {
            throw new UnsupportedOperationException("unreadable property");
        }
    }
}
