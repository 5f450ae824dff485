package dev.vigil.controller;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member flooded with many more connections than its cap keeps its descriptors for storage,
 * keeps serving and keeps writing (persisted state, so its WAL is written throughout), and is
 * still a working member afterwards. The flood comes from 127.0.0.1, the operator from 127.0.0.2.
 */
class ControllerFloodTest {
    private static final int MAX = 32;
    private static final int PER_CLIENT = 16;
    private static final int FLOOD = 600;

    @TempDir
    static Path dataDir;
    private static TestController controller;

    @BeforeAll
    static void start() throws Exception {
        controller = TestController.start(dataDir, "connections: {max: " + MAX + ", perClient: " + PER_CLIENT
                + ", idleTimeout: 1h}", true);
    }

    @AfterAll
    static void stop() {
        controller.close();
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void aFloodedMemberKeepsItsDescriptorsAndKeepsServingAndWriting() throws Exception {
        String admin = "Authorization: Bearer " + controller.token("admin") + "\r\n";
        long before = openDescriptors();
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < FLOOD; i++) {
                flood.add(RawRequests.connect(controller.port(), "127.0.0.1"));
            }
            // The flood holds FLOOD descriptors on the client side of this JVM; the server side may
            // hold no more than the cap and the connections being refused.
            long serverSide = openDescriptors() - before - FLOOD;
            assertThat(serverSide).as("descriptors the server holds for %d connections", FLOOD)
                    .isLessThanOrEqualTo(MAX + Math.max(4, MAX / 8) + 16);

            RawRequests.Answer ready = RawRequests.send(controller.port(), "127.0.0.2", "GET", "/readyz", "", null);
            assertThat(ready.status()).as("ready while flooded").isEqualTo(200);
            RawRequests.Answer write = RawRequests.send(controller.port(), "127.0.0.2", "POST", "/v1/tokens", admin,
                    "{\"name\": \"during-flood\", \"role\": \"viewer\"}");
            assertThat(write.status()).as("a mutation while flooded: " + write.text()).isEqualTo(201);
        } finally {
            for (Socket socket : flood) {
                socket.close();
            }
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        RawRequests.Answer after;
        do {
            after = RawRequests.send(controller.port(), "127.0.0.1", "POST", "/v1/tokens", admin,
                    "{\"name\": \"after-flood\", \"role\": \"viewer\"}");
        } while (after.status() == 503 && System.nanoTime() < deadline);
        assertThat(after.status()).as("the flooding address is served again once it lets go: " + after.text())
                .isEqualTo(201);
        assertThat(controller.json("GET", "/v1/tokens", controller.token("admin"), null).findValuesAsText("name"))
                .contains("during-flood", "after-flood");
    }
}
