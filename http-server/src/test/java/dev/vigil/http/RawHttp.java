package dev.vigil.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A client that sends bytes as they are (java.net.http will not send a malformed request) and
 * reads one answer, waiting at most {@link #WAIT_MILLIS} for it.
 */
final class RawHttp {
    static final int WAIT_MILLIS = 5000;

    /** One answer: its status, headers (names in lower case) and body. */
    record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {
    }

    /** A connection to {@code port} on 127.0.0.1 from {@code source} (another loopback address, or null). */
    static Socket connect(int port, String source) throws IOException {
        Socket socket = new Socket();
        if (source != null) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), WAIT_MILLIS);
        socket.setSoTimeout(WAIT_MILLIS);
        return socket;
    }

    /** Sends {@code request} on a new connection and reads the answer. */
    static Answer exchange(int port, String request) throws IOException {
        try (Socket socket = connect(port, null)) {
            send(socket, request);
            return read(socket);
        }
    }

    /** Sends {@code request}, each char as one byte (ISO-8859-1), so any byte can be sent. */
    static void send(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** A GET of {@code path} that keeps the connection open. */
    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    /** Reads one answer; fails when none comes within the wait or the connection ends first. */
    static Answer read(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        String head = readHead(in);
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new IOException("the connection ended after " + body.length + " of " + length + " body bytes");
        }
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /** Whether the server closes the connection within the wait (reading nothing more). */
    static boolean closedByServer(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() == -1;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection ended without an answer" + (head.size() > 0
                        ? " (read: " + head.toString(StandardCharsets.ISO_8859_1) + ")" : ""));
            }
            head.write(b);
            matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : b == '\r' ? 1 : 0;
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 4);
    }
}
