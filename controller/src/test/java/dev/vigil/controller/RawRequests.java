package dev.vigil.controller;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Requests sent as bytes, for what java.net.http will not send (a bad percent-escape, a NUL in a
 * header), from any loopback address. Each waits at most five seconds for its answer.
 */
final class RawRequests {
    /** An answer's status line and everything after it. */
    record Answer(int status, String text) {
    }

    private RawRequests() {
    }

    static Socket connect(int port, String source) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(5000);
        return socket;
    }

    /** {@code method target} with the given header lines (each ending in CRLF) and body, from {@code source}. */
    static Answer send(int port, String source, String method, String target, String headers, String body)
            throws IOException {
        try (Socket socket = connect(port, source)) {
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers
                    + (body == null ? "" : "Content-Type: application/json\r\n")
                    + "Content-Length: " + content.length + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(content);
            socket.getOutputStream().flush();
            return read(socket.getInputStream());
        }
    }

    /** Reads until the server closes (every request here asks it to). */
    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        String text = all.toString(StandardCharsets.UTF_8);
        if (!text.startsWith("HTTP/1.1 ")) {
            throw new IOException("no answer: \"" + text + "\"");
        }
        return new Answer(Integer.parseInt(text.substring(9, 12)), text);
    }
}
