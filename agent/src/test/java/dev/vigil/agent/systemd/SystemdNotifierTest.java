package dev.vigil.agent.systemd;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Receives the notifier's datagrams on a real AF_UNIX datagram socket, as systemd would. */
class SystemdNotifierTest {
    private NotifySocket socket;

    @AfterEach
    void closeSocket() {
        if (socket != null) {
            socket.close();
        }
    }

    private void listen(String path) {
        socket = new NotifySocket(path);
    }

    private String receive() {
        return socket.receive();
    }

    @Test
    void sendsReadyStatusWatchdogAndStoppingToAPathSocket(@TempDir Path dir) {
        String path = dir.resolve("notify").toString();
        listen(path);
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", path), 1);
        assertThat(notifier.enabled()).isTrue();
        notifier.ready("8 GPUs");
        assertThat(receive()).isEqualTo("READY=1\nSTATUS=8 GPUs");
        notifier.watchdog();
        assertThat(receive()).isEqualTo("WATCHDOG=1");
        notifier.stopping();
        assertThat(receive()).isEqualTo("STOPPING=1");
        assertThat(receive()).isNull();
    }

    @Test
    void sendsToAnAbstractSocket() {
        String path = "@vigil-test-" + UUID.randomUUID();
        listen(path);
        SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", path), 1).status("sampling");
        assertThat(receive()).isEqualTo("STATUS=sampling");
    }

    @Test
    void withoutNotifySocketNothingIsSentAndNothingFails() {
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of(), 1);
        assertThat(notifier.enabled()).isFalse();
        assertThat(notifier.send("READY=1")).isFalse();
    }

    @Test
    void aMissingSocketIsLoggedNotThrown(@TempDir Path dir) {
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(
                Map.of("NOTIFY_SOCKET", dir.resolve("nobody-listens").toString()), 1);
        assertThat(notifier.send("READY=1")).isFalse();
    }

    @Test
    void watchdogIntervalComesFromWatchdogUsecForThisProcessOnly() {
        assertThat(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "/x", "WATCHDOG_USEC", "30000000"), 7)
                .watchdogInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "/x", "WATCHDOG_USEC", "30000000",
                "WATCHDOG_PID", "8"), 7).watchdogInterval()).as("meant for another process").isNull();
    }
}
