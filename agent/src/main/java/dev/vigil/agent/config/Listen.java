package dev.vigil.agent.config;

import dev.vigil.api.binding.InvalidValueException;

import java.net.InetSocketAddress;

/** Parses {@code host:port} / {@code :port} listen addresses. */
final class Listen {
    private static final String ALLOWED = "host:port or :port with a port from 1 to 65535 (0 picks a free one), "
            + "e.g. :9400 or 127.0.0.1:9400";

    private Listen() {
    }

    static InetSocketAddress parse(String text, String field) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon < 0) {
            throw new InvalidValueException(field, text, ALLOWED);
        }
        String host = text.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new InvalidValueException(field, text, ALLOWED);
        }
        InvalidValueException.require(port >= 0 && port < 65536, field, text, ALLOWED);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.isEmpty() || host.equals("0.0.0.0") ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }
}
