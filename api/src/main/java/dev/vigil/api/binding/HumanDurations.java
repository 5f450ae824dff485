package dev.vigil.api.binding;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.io.IOException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them: {@code 250ms}, {@code 2s}, {@code 5m}, {@code 1h30m},
 * {@code 7d}. A bare number is refused because its unit would be a guess.
 */
public final class HumanDurations {
    static final String ALLOWED = "a duration with a unit, e.g. 500ms, 2s, 5m, 1h30m, 7d";
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private HumanDurations() {
    }

    /** Parses {@code text}; throws {@link InvalidValueException} naming {@code field} on a bad value. */
    public static Duration parse(String text, String field) {
        String trimmed = text == null ? "" : text.trim();
        Matcher matcher = PART.matcher(trimmed);
        Duration total = Duration.ZERO;
        int end = 0;
        while (matcher.find() && matcher.start() == end) {
            long amount = Long.parseLong(matcher.group(1));
            total = total.plus(switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            });
            end = matcher.end();
        }
        if (trimmed.isEmpty() || end != trimmed.length()) {
            throw new InvalidValueException(field, text, ALLOWED);
        }
        return total;
    }

    /** The shortest exact form: {@code 1500ms}, {@code 90s}, {@code 5m}, {@code 2h}. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0 && millis != 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0 && millis != 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    static SimpleModule module() {
        SimpleModule module = new SimpleModule("vigil-durations");
        module.addDeserializer(Duration.class, new JsonDeserializer<>() {
            @Override
            public Duration deserialize(JsonParser parser, DeserializationContext context) throws IOException {
                if (parser.currentToken() != JsonToken.VALUE_STRING) {
                    throw new InvalidValueException("", parser.getText(), ALLOWED);
                }
                return parse(parser.getText(), "");
            }
        });
        module.addSerializer(Duration.class, new JsonSerializer<>() {
            @Override
            public void serialize(Duration value, JsonGenerator generator, SerializerProvider provider) throws IOException {
                generator.writeString(format(value));
            }
        });
        return module;
    }
}
