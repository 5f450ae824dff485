package dev.vigil.api.binding;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Times as ISO-8601 text with a zone ({@code 2026-12-06T14:00:00Z}, {@code ...+01:00}). A bare
 * number is refused: seconds or milliseconds since 1970 would be a guess, and a guess that reads
 * {@code 123} as a moment in 1970 turns a typo into a silence that ended long ago.
 */
final class Instants {
    static final String ALLOWED = "a time in ISO-8601 with a zone, e.g. 2026-12-06T14:00:00Z";

    private Instants() {
    }

    static SimpleModule module() {
        SimpleModule module = new SimpleModule("vigil-instants");
        module.addDeserializer(Instant.class, new JsonDeserializer<>() {
            @Override
            public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
                if (parser.currentToken() != JsonToken.VALUE_STRING) {
                    throw new InvalidValueException("", parser.getText(), ALLOWED);
                }
                try {
                    return Instant.parse(parser.getText().trim());
                } catch (DateTimeParseException e) {
                    throw new InvalidValueException("", parser.getText(), ALLOWED);
                }
            }
        });
        return module;
    }
}
