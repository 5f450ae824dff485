package dev.vigil.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request's target ({@code /v1/nodes/gpu%201?since=3}) split and decoded strictly: a bad
 * percent-escape, bytes that are not UTF-8 once decoded, a control character (escaped or not) or
 * a character no URI may hold is a 400 problem naming the part at fault, never a failure of the
 * server. The absolute form ({@code http://host/v1/nodes}) is taken as its path, as HTTP/1.1 asks.
 *
 * @param path     the path as sent (still escaped), for messages
 * @param segments the path's segments, decoded; a trailing slash adds none
 * @param query    the query parameters, decoded, each name with its values in order
 */
record RequestTarget(String path, List<String> segments, Map<String, List<String>> query) {

    static RequestTarget parse(String target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw Malformed.problem("request target", null, "the request target holds " + describe(c)
                        + " at position " + i, "printable ASCII; anything else escaped as %XX of its UTF-8 bytes");
            }
        }
        int fragment = target.indexOf('#');
        String withoutFragment = withoutSchemeAndHost(fragment < 0 ? target : target.substring(0, fragment));
        int mark = withoutFragment.indexOf('?');
        String path = mark < 0 ? withoutFragment : withoutFragment.substring(0, mark);
        String rawQuery = mark < 0 ? "" : withoutFragment.substring(mark + 1);
        if (!path.startsWith("/")) {
            throw Malformed.problem("request target", null, "the request target is not a path",
                    "a path starting with '/', e.g. /v1/nodes");
        }
        return new RequestTarget(path, segments(path), query(rawQuery));
    }

    private static String withoutSchemeAndHost(String target) {
        String lower = target.toLowerCase(Locale.ROOT);
        int authority = lower.startsWith("http://") ? 7 : lower.startsWith("https://") ? 8 : -1;
        if (authority < 0) {
            return target;
        }
        int path = target.indexOf('/', authority);
        int query = target.indexOf('?', authority);
        if (path < 0 || query >= 0 && query < path) {
            return "/" + (query < 0 ? "" : target.substring(query));
        }
        return target.substring(path);
    }

    private static List<String> segments(String path) {
        String trimmed = path.substring(1);
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        if (trimmed.isEmpty()) {
            return List.of();
        }
        List<String> segments = new ArrayList<>();
        for (String raw : trimmed.split("/", -1)) {
            segments.add(decode(raw, false, "path"));
        }
        return Collections.unmodifiableList(segments);
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), true, "query");
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), true, "query parameter " + name);
            query.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        query.replaceAll((name, values) -> List.copyOf(values));
        return Collections.unmodifiableMap(query);
    }

    /** Decodes %XX escapes (and '+' in a query) as UTF-8, refusing what is not. */
    private static String decode(String text, boolean plusIsSpace, String part) {
        if (text.indexOf('%') < 0 && !(plusIsSpace && text.indexOf('+') >= 0)) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                int high = i + 1 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
                int low = i + 2 < text.length() ? Character.digit(text.charAt(i + 2), 16) : -1;
                if (high < 0 || low < 0) {
                    String escape = text.substring(i, Math.min(i + 3, text.length()));
                    throw Malformed.problem(part, escape, "the " + part + " holds a bad percent-escape \""
                            + escape + "\"", "% and two hex digits, e.g. %20");
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else {
                bytes.write(plusIsSpace && c == '+' ? ' ' : c);
            }
        }
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw Malformed.problem(part, text, "the " + part + " decodes to bytes that are not UTF-8",
                    "UTF-8 text, its bytes percent-escaped");
        }
        for (int i = 0; i < decoded.length(); i++) {
            if (Character.isISOControl(decoded.charAt(i))) {
                throw Malformed.problem(part, text, "the " + part + " holds an escaped control character",
                        "text without control characters");
            }
        }
        return decoded;
    }

    private static String describe(char c) {
        return c == ' ' ? "a space" : String.format("the character U+%04X", (int) c);
    }
}
