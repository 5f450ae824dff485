package dev.vigil.api.binding;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads YAML and JSON documents into records, strictly: an unknown key, a duplicated key, a
 * value of the wrong type or a value a record refuses is an {@link InvalidDocumentException}
 * whose message names the field path, the value and what is allowed. Nothing is silently
 * dropped or coerced. Also the one place that says how Vigil writes JSON (enums in lower
 * case, durations as {@code 500ms}/{@code 2s}, instants in ISO-8601, nulls left out).
 */
public final class Documents {
    private static final ObjectMapper JSON = strictScalars(configure(new ObjectMapper(
            JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())));
    private static final ObjectMapper YAML = configure(new ObjectMapper(
            YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()));

    private static final Pattern SINGLE_QUOTED = Pattern.compile("'([^']*)'");

    private Documents() {
    }

    /** The JSON mapper for writing wire types (thread-safe). */
    public static ObjectMapper json() {
        return JSON;
    }

    /** The YAML mapper (thread-safe). */
    public static ObjectMapper yaml() {
        return YAML;
    }

    /** Reads a YAML file; a missing file or a bad document is an {@link InvalidDocumentException}. */
    public static <T> T readYaml(Path file, Class<T> type) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidDocumentException(file.toString(), "", file.toString(), "an existing file",
                    "file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return readYaml(text, type, file.toString());
    }

    /**
     * Reads a YAML file (or nothing, when {@code file} is null) with top-level keys replaced by
     * {@code overrides}, e.g. from command-line flags; errors name the flags as part of the source.
     */
    public static <T> T readYaml(Path file, Class<T> type, Map<String, Object> overrides) {
        String source = (file == null ? "defaults" : file.toString())
                + (overrides.isEmpty() ? "" : " with --" + String.join(", --", overrides.keySet()));
        ObjectNode tree;
        try {
            String text = file == null ? "" : Files.readString(file, StandardCharsets.UTF_8);
            JsonNode parsed = text.isBlank() ? YAML.createObjectNode() : YAML.readTree(text);
            if (!(parsed instanceof ObjectNode object)) {
                throw new InvalidDocumentException(source, "", null, "a mapping of keys",
                        "the document is not a mapping of keys");
            }
            tree = object;
        } catch (NoSuchFileException e) {
            throw new InvalidDocumentException(String.valueOf(file), "", String.valueOf(file), "an existing file",
                    "file not found");
        } catch (JsonProcessingException e) {
            throw translate(source, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        overrides.forEach((key, value) -> tree.set(key, YAML.valueToTree(value)));
        try {
            return YAML.treeToValue(tree, type);
        } catch (JsonProcessingException | InvalidValueException e) {
            throw translate(source, e, () -> tree);
        }
    }

    /** Reads YAML text; {@code source} names it in error messages. An empty document binds as an empty mapping. */
    public static <T> T readYaml(String text, Class<T> type, String source) {
        return read(YAML, text.isBlank() ? "{}" : text, type, source);
    }

    /** Reads a JSON document (a request body); an empty body is an error. */
    public static <T> T readJson(byte[] json, Class<T> type, String source) {
        if (json.length == 0) {
            throw new InvalidDocumentException(source, "", "", "a JSON object", "empty body (expected a JSON object)");
        }
        return read(JSON, new String(json, StandardCharsets.UTF_8), type, source);
    }

    private static <T> T read(ObjectMapper mapper, String text, Class<T> type, String source) {
        // The parser stays open while a failure is explained: it still holds the offending value.
        try (JsonParser parser = mapper.createParser(text)) {
            try {
                T value = mapper.readValue(parser, type);
                if (value == null) {
                    throw new InvalidDocumentException(source, "", "null", "a mapping of keys", "the document is empty");
                }
                return value;
            } catch (JsonProcessingException | InvalidValueException e) {
                throw translate(source, e, () -> mapper.readTree(text));
            }
        } catch (JsonProcessingException e) {
            throw translate(source, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source, e);
        }
    }

    /** Parses the document again, only to explain a failure. */
    @FunctionalInterface
    interface Reparse {
        JsonNode tree() throws JsonProcessingException;
    }

    /**
     * A record's constructor runs before Jackson looks at unknown keys, so a misspelt required key
     * first shows as "missing". When the object being built has a key it does not know, that key
     * is the better answer: the user typed it.
     */
    private static InvalidDocumentException translate(String source, Exception e, Reparse document) {
        if (e instanceof ValueInstantiationException instantiation
                && rootCause(instantiation) instanceof InvalidValueException invalid && invalid.value() == null
                && !ignoresUnknownKeys(instantiation.getType().getRawClass())) {
            try {
                JsonNode at = document.tree();
                for (JsonMappingException.Reference reference : instantiation.getPath()) {
                    at = reference.getFieldName() != null ? at.path(reference.getFieldName())
                            : at.path(reference.getIndex());
                }
                var description = JSON.getDeserializationConfig().introspect(instantiation.getType());
                List<String> known = description.findProperties().stream().map(p -> p.getName()).sorted().toList();
                for (var names = at.fieldNames(); names.hasNext(); ) {
                    String key = names.next();
                    if (!known.contains(key)) {
                        String parent = path(instantiation.getPath());
                        String field = parent.isEmpty() || key.isEmpty() ? parent + key(key) : parent + "." + key;
                        String allowed = String.join(", ", known);
                        return new InvalidDocumentException(source, field, key, allowed, "unknown key \"" + field
                                + "\" (allowed keys" + (parent.isEmpty() ? "" : " under " + parent) + ": " + allowed + ")");
                    }
                }
            } catch (JsonProcessingException | RuntimeException ignored) {
                // Fall back to the constructor's own complaint.
            }
        }
        return translate(source, e);
    }

    private static boolean ignoresUnknownKeys(Class<?> type) {
        JsonIgnoreProperties ignore = type.getAnnotation(JsonIgnoreProperties.class);
        return ignore != null && ignore.ignoreUnknown();
    }

    /** Turns Jackson's and the records' complaints into one message that names field, value and allowed. */
    static InvalidDocumentException translate(String source, Exception e) {
        if (e instanceof InvalidValueException invalid) {
            return fromInvalidValue(source, "", invalid);
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            String path = path(unknown.getPath());
            String parent = path.contains(".") ? path.substring(0, path.lastIndexOf('.')) : "";
            String allowed = sorted(unknown.getKnownPropertyIds());
            return new InvalidDocumentException(source, path, unknown.getPropertyName(), allowed,
                    "unknown key \"" + path + "\" (allowed keys" + (parent.isEmpty() ? "" : " under " + parent)
                            + ": " + allowed + ")");
        }
        if (e instanceof InvalidFormatException format) {
            String path = path(format.getPath());
            String allowed = expected(format.getTargetType());
            return new InvalidDocumentException(source, path, String.valueOf(format.getValue()), allowed,
                    path + ": \"" + format.getValue() + "\" is not allowed (allowed: " + allowed + ")");
        }
        if (e instanceof JsonMappingException mapping) {
            Throwable cause = rootCause(mapping);
            String path = path(mapping.getPath());
            if (cause instanceof InvalidValueException invalid) {
                return fromInvalidValue(source, path, invalid);
            }
            if (mapping instanceof ValueInstantiationException && cause != null && cause != mapping) {
                return new InvalidDocumentException(source, path, null, "", path + ": " + cause.getMessage());
            }
            if (mapping instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
                String allowed = expected(mismatch.getTargetType());
                String value = mismatch instanceof InvalidNullException ? "null" : scalar(mismatch);
                return new InvalidDocumentException(source, path, value, allowed, (path.isEmpty() ? "document" : path)
                        + ": " + (value == null ? "wrong kind of value" : "\"" + value + "\" is not allowed")
                        + " (allowed: " + allowed + ")");
            }
        }
        if (e instanceof JsonProcessingException processing) {
            return fromStream(source, processing);
        }
        return new InvalidDocumentException(source, "", null, "", e.getMessage());
    }

    /**
     * A complaint of the parser itself: a number too large for its field, NaN, a syntax error.
     * Databind may have wrapped it with the path it was binding; else the parser's own position
     * in the document names the field.
     */
    private static InvalidDocumentException fromStream(String source, JsonProcessingException e) {
        Throwable cause = rootCause(e);
        JsonProcessingException parser = cause instanceof JsonProcessingException inner ? inner : e;
        String path = e instanceof JsonMappingException mapping ? path(mapping.getPath()) : "";
        if (parser.getProcessor() instanceof JsonParser at) {
            // Databind's path may stop at the object whose value the parser was reading.
            String position = path(at.getParsingContext());
            path = position.startsWith(path) ? position : path;
        }
        String where = path.isEmpty() ? "" : path + ": ";
        if (parser instanceof InputCoercionException coercion) {
            String value = scalar(coercion);
            String allowed = range(coercion.getTargetType());
            return new InvalidDocumentException(source, path, value, allowed,
                    where + (value == null ? "number" : "\"" + value + "\"") + " is not allowed (allowed: " + allowed + ")");
        }
        String message = parser.getOriginalMessage();
        if (message != null && message.startsWith("Non-standard token")) {
            // Jackson's advice to enable a reader feature is for the programmer, not the user.
            String value = quoted(message, SINGLE_QUOTED);
            return new InvalidDocumentException(source, path, value, "a number (NaN and Infinity are not numbers in JSON)",
                    where + "\"" + value + "\" is not allowed (allowed: a number; NaN and Infinity are not numbers in JSON)");
        }
        var at = parser.getLocation();
        String line = at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
        return new InvalidDocumentException(source, path, null, "well-formed YAML or JSON",
                line + where + message);
    }

    /**
     * The offending token as the parser's message quotes it ("Non-standard token 'NaN'"): the
     * parser fails before the token is read, so the message is the only place that names it.
     */
    private static String quoted(String message, Pattern quote) {
        Matcher matcher = quote.matcher(message == null ? "" : message);
        return matcher.find() ? matcher.group(1) : null;
    }

    /** The scalar the parser stopped at (a string where a number belongs), or null for null, an object or a list. */
    private static String scalar(JsonProcessingException e) {
        if (e.getProcessor() instanceof JsonParser parser && !parser.isClosed() && parser.currentToken() != null
                && parser.currentToken().isScalarValue() && parser.currentToken() != JsonToken.VALUE_NULL) {
            try {
                // An empty YAML value reads as "": saying "wrong kind of value" is clearer than quoting nothing.
                return parser.getText().isEmpty() ? null : parser.getText();
            } catch (IOException unreadable) {
                return null;
            }
        }
        return null;
    }

    private static String range(Class<?> type) {
        if (type == int.class || type == Integer.class) {
            return "a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
        }
        if (type == long.class || type == Long.class) {
            return "a whole number from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE;
        }
        return expected(type);
    }

    /** Where a parser is, as a field path: {@code inner.list[2].gpu}. */
    private static String path(JsonStreamContext context) {
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext at = context; at != null && !at.inRoot(); at = at.getParent()) {
            if (at.inObject() && at.getCurrentName() != null) {
                parts.add(0, key(at.getCurrentName()));
            } else if (at.inArray() && at.getCurrentIndex() >= 0) {
                parts.add(0, "[" + at.getCurrentIndex() + "]");
            }
        }
        return String.join(".", parts).replace(".[", "[");
    }

    /** A key as a path names it; an empty or blank key, which JSON allows, quoted ({@code [" "]}) so it shows. */
    private static String key(String name) {
        return name.isBlank() ? "[\"" + name + "\"]" : name;
    }

    private static InvalidDocumentException fromInvalidValue(String source, String path, InvalidValueException invalid) {
        String field = join(path, invalid.field());
        return new InvalidDocumentException(source, field, invalid.value(), invalid.allowed(),
                InvalidValueException.describe(field, invalid.value(), invalid.allowed()));
    }

    private static String join(String path, String field) {
        if (field == null || field.isEmpty()) {
            return path;
        }
        if (path.isEmpty() || path.endsWith("." + field) || path.equals(field)) {
            return path.isEmpty() ? field : path;
        }
        return path + "." + field;
    }

    private static Throwable rootCause(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
            if (cause instanceof InvalidValueException) {
                return cause;
            }
        }
        return cause;
    }

    static String path(List<JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : references) {
            if (reference.getFieldName() != null) {
                if (path.length() > 0 && !reference.getFieldName().isEmpty()) {
                    path.append('.');
                }
                path.append(key(reference.getFieldName()));
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String sorted(Collection<Object> names) {
        return names.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    /** What a value of this type looks like, in words. */
    static String expected(Class<?> type) {
        if (type == null) {
            return "a value";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants())
                    .map(c -> EnumNaming.wireName((Enum<?>) c)).collect(Collectors.joining(", "));
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Duration.class) {
            return HumanDurations.ALLOWED;
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping of keys";
        }
        return "a " + type.getSimpleName().toLowerCase(Locale.ROOT);
    }

    /**
     * A JSON body says what type each value is: {@code "gpus": "1"} and {@code "name": 123} are
     * mistakes, not values to convert. YAML keeps its coercions (an unquoted {@code 001} in a
     * config file is meant as text).
     */
    private static ObjectMapper strictScalars(ObjectMapper mapper) {
        for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            mapper.coercionConfigFor(type)
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    private static ObjectMapper configure(ObjectMapper mapper) {
        // A null in a list is never meant: refused where it stands rather than failing a record's copy.
        JsonSetter.Value noNullElements = JsonSetter.Value.forContentNulls(Nulls.FAIL);
        for (Class<?> collection : List.of(Collection.class, List.class, Set.class)) {
            mapper.configOverride(collection).setSetterInfo(noNullElements);
        }
        return mapper
                .registerModule(new JavaTimeModule())
                .registerModule(Instants.module())
                .registerModule(HumanDurations.module())
                .registerModule(EnumNaming.module())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .setSerializationInclusion(JsonInclude.Include.NON_NULL)
                .configure(JsonParser.Feature.INCLUDE_SOURCE_IN_LOCATION, false);
    }
}
