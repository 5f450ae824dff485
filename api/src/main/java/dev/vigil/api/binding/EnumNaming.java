package dev.vigil.api.binding;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;

import java.io.IOException;
import java.util.Locale;

/**
 * Enums travel in lower case with dashes ({@code reset-gpu}, {@code hgx-h100-8} style); reading
 * also accepts upper case and underscores. An unknown constant names the allowed ones.
 */
final class EnumNaming {
    private EnumNaming() {
    }

    static String wireName(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static SimpleModule module() {
        SimpleModule module = new SimpleModule("vigil-enums");
        module.setSerializerModifier(new BeanSerializerModifier() {
            @Override
            public JsonSerializer<?> modifyEnumSerializer(SerializationConfig config, JavaType type,
                                                          BeanDescription description, JsonSerializer<?> serializer) {
                return new JsonSerializer<Enum<?>>() {
                    @Override
                    public void serialize(Enum<?> value, JsonGenerator generator, SerializerProvider provider)
                            throws IOException {
                        generator.writeString(wireName(value));
                    }
                };
            }
        });
        module.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyEnumDeserializer(DeserializationConfig config, JavaType type,
                                                              BeanDescription description, JsonDeserializer<?> deserializer) {
                Class<?> raw = type.getRawClass();
                return new JsonDeserializer<Enum<?>>() {
                    @Override
                    public Enum<?> deserialize(JsonParser parser, DeserializationContext context) throws IOException {
                        String text = parser.getValueAsString();
                        String wanted = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
                        for (Object constant : raw.getEnumConstants()) {
                            if (wireName((Enum<?>) constant).equals(wanted)) {
                                return (Enum<?>) constant;
                            }
                        }
                        throw new InvalidValueException("", text, Documents.expected(raw));
                    }
                };
            }
        });
        return module;
    }
}
