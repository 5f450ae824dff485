package dev.vigil.agent.systemd;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.nio.charset.StandardCharsets;

/** The receiving end of $NOTIFY_SOCKET, as systemd has it: an AF_UNIX datagram socket. */
public final class NotifySocket implements AutoCloseable {
    private static final int MSG_DONTWAIT = 0x40;

    interface TestLibC extends Library {
        int socket(int domain, int type, int protocol);

        int bind(int fd, SystemdNotifier.SockaddrUn address, int length);

        long recv(int fd, byte[] buffer, long length, int flags);

        int close(int fd);
    }

    private static final TestLibC LIBC = Native.load("c", TestLibC.class);
    private final int fd;

    /** Binds at {@code path}; a leading '@' means the abstract namespace. */
    public NotifySocket(String path) {
        fd = LIBC.socket(1, 2, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket() failed: errno " + Native.getLastError());
        }
        SystemdNotifier.SockaddrUn address = new SystemdNotifier.SockaddrUn();
        address.family = 1;
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, address.path, 0, bytes.length);
        int length = 2 + bytes.length + 1;
        if (bytes[0] == '@') {
            address.path[0] = 0;
            length = 2 + bytes.length;
        }
        address.write();
        if (LIBC.bind(fd, address, length) != 0) {
            throw new IllegalStateException("bind(" + path + ") failed: errno " + Native.getLastError());
        }
    }

    /** The next datagram waiting, or null when none is. */
    public String receive() {
        byte[] buffer = new byte[4096];
        long n = LIBC.recv(fd, buffer, buffer.length, MSG_DONTWAIT);
        return n < 0 ? null : new String(buffer, 0, (int) n, StandardCharsets.UTF_8);
    }

    /** Drops what is waiting and says how many datagrams equal {@code message}. */
    public int drainCounting(String message) {
        int count = 0;
        for (String received = receive(); received != null; received = receive()) {
            if (received.equals(message)) {
                count++;
            }
        }
        return count;
    }

    @Override
    public void close() {
        LIBC.close(fd);
    }
}
