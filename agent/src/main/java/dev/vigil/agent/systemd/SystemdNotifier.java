package dev.vigil.agent.systemd;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Tells systemd how the service is doing through {@code $NOTIFY_SOCKET} ({@code READY=1},
 * {@code WATCHDOG=1}, {@code STATUS=...}, {@code STOPPING=1}). The socket is an AF_UNIX datagram
 * socket, which the JDK cannot write to, so this goes through libc with JNA. Without
 * {@code $NOTIFY_SOCKET} (not under systemd, or not Type=notify) every call does nothing.
 */
public final class SystemdNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_NOSIGNAL = 0x4000;

    /** The libc calls a datagram needs. */
    interface LibC extends Library {
        int socket(int domain, int type, int protocol);

        long sendto(int fd, byte[] buffer, long length, int flags, SockaddrUn address, int addressLength);

        int close(int fd);
    }

    /** {@code struct sockaddr_un}: a family and a 108-byte path. */
    @Structure.FieldOrder({"family", "path"})
    public static final class SockaddrUn extends Structure {
        public short family;
        public byte[] path = new byte[108];
    }

    private final String socketPath;
    private final Duration watchdogInterval;
    private LibC libc;
    private boolean warned;

    SystemdNotifier(String socketPath, Duration watchdogInterval) {
        this.socketPath = socketPath == null || socketPath.isEmpty() ? null : socketPath;
        this.watchdogInterval = watchdogInterval;
    }

    /** Reads {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC} and {@code WATCHDOG_PID} from the environment. */
    public static SystemdNotifier fromEnvironment() {
        return fromEnvironment(System.getenv(), ProcessHandle.current().pid());
    }

    /** A notifier that sends nothing: for agents that are not the service itself (tests, {@code vigil up}). */
    public static SystemdNotifier disabled() {
        return new SystemdNotifier(null, null);
    }

    /** Reads the variables from {@code env} as the process {@code pid} would. */
    public static SystemdNotifier fromEnvironment(Map<String, String> env, long pid) {
        Duration watchdog = null;
        String usec = env.get("WATCHDOG_USEC");
        String watchdogPid = env.get("WATCHDOG_PID");
        if (usec != null && (watchdogPid == null || watchdogPid.equals(String.valueOf(pid)))) {
            try {
                watchdog = Duration.ofNanos(Long.parseLong(usec) * 1000);
            } catch (NumberFormatException e) {
                LOG.atWarn().addKeyValue("WATCHDOG_USEC", usec).log("systemd_watchdog_ignored");
            }
        }
        return new SystemdNotifier(env.get("NOTIFY_SOCKET"), watchdog);
    }

    public boolean enabled() {
        return socketPath != null;
    }

    /** How often systemd expects WATCHDOG=1, or null when the watchdog is off. */
    public Duration watchdogInterval() {
        return watchdogInterval;
    }

    public void ready(String status) {
        send("READY=1\nSTATUS=" + status);
    }

    public void status(String status) {
        send("STATUS=" + status);
    }

    public void watchdog() {
        send("WATCHDOG=1");
    }

    public void stopping() {
        send("STOPPING=1");
    }

    /** Sends one datagram; a failure is logged once and never stops the agent. */
    synchronized boolean send(String message) {
        if (socketPath == null) {
            return false;
        }
        try {
            if (libc == null) {
                libc = Native.load("c", LibC.class);
            }
            SockaddrUn address = new SockaddrUn();
            address.family = AF_UNIX;
            byte[] path = socketPath.getBytes(StandardCharsets.UTF_8);
            if (path.length >= address.path.length) {
                throw new IllegalStateException("NOTIFY_SOCKET path is longer than 107 bytes");
            }
            System.arraycopy(path, 0, address.path, 0, path.length);
            int length = 2 + path.length;
            if (path[0] == '@') {
                // Abstract namespace: a leading NUL, and the length counts no terminator.
                address.path[0] = 0;
            } else {
                length += 1;
            }
            address.write();
            int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new IllegalStateException("socket() failed: errno " + Native.getLastError());
            }
            try {
                byte[] payload = message.getBytes(StandardCharsets.UTF_8);
                long sent = libc.sendto(fd, payload, payload.length, MSG_NOSIGNAL, address, length);
                if (sent < 0) {
                    throw new IllegalStateException("sendto(" + socketPath + ") failed: errno " + Native.getLastError());
                }
            } finally {
                libc.close(fd);
            }
            return true;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            if (!warned) {
                LOG.atWarn().addKeyValue("socket", socketPath).addKeyValue("error", e.getMessage())
                        .log("systemd_notify_failed");
                warned = true;
            }
            return false;
        }
    }
}
