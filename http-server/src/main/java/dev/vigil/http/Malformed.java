package dev.vigil.http;

import dev.vigil.api.Problem;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

import java.util.Map;

/**
 * The problems the server answers for requests it cannot take apart: 400 for a broken request
 * line, header or target, 414 for a request line too long, 431 for headers too large. Header
 * values are never echoed: they may be credentials.
 */
final class Malformed {
    private Malformed() {
    }

    /** A 400 naming the part of the request at fault. */
    static ProblemException problem(String field, String value, String detail, String allowed) {
        return new ProblemException(new Problem("/problems/malformed-request", "Malformed request", 400,
                detail + " (allowed: " + allowed + ")", null, field, value, allowed));
    }

    /** The answer to a request Netty's decoder could not read. */
    static Problem decoderFailure(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return Problem.of(414, "uri-too-long", "URI too long", "the request line is longer than "
                    + HttpServer.MAX_REQUEST_LINE + " bytes", null);
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return Problem.of(431, "header-fields-too-large", "Request header fields too large",
                    "the request's headers are larger than " + HttpServer.MAX_HEADER_BYTES + " bytes", null);
        }
        return Problem.of(400, "malformed-request", "Malformed request",
                "the request could not be parsed: " + printable(String.valueOf(cause.getMessage())), null);
    }

    /** Refuses a header value holding a control character (Netty's own check would not say which header). */
    static void checkHeaderValues(HttpHeaders headers) {
        for (Map.Entry<String, String> header : headers) {
            String value = header.getValue();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x20 && c != '\t' || c == 0x7f) {
                    throw problem("header " + header.getKey(), null, String.format(
                            "the header %s holds the control character U+%04X at position %d", header.getKey(),
                            (int) c, i), "visible characters, spaces and tabs");
                }
            }
        }
    }

    /** {@code text} cut short, with anything but printable ASCII shown as {@code ?}: safe in a log or an audit line. */
    static String printable(String text) {
        StringBuilder shown = new StringBuilder(Math.min(text.length(), 200));
        for (int i = 0; i < text.length() && shown.length() < 200; i++) {
            char c = text.charAt(i);
            shown.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return text.length() > 200 ? shown + "..." : shown.toString();
    }
}
