package dev.vigil.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server holds at most {@code max} connections, at most {@code perClient} from one address,
 * and closes idle ones; a flood beyond that is answered 503 or closed, and the server keeps
 * serving. Clients come from several loopback addresses (127.0.0.1, .2, .3), all traffic stays
 * on this host.
 */
class ConnectionFloodTest {
    private static final int MAX = 8;
    private static final int PER_CLIENT = 4;

    private final List<Socket> sockets = new ArrayList<>();
    private HttpServer server;
    private ExecutorService threads;

    private HttpServer start(Duration idleTimeout) {
        threads = Executors.newFixedThreadPool(2);
        server = HttpServer.serving(new Router()
                        .get("/healthz", r -> Response.text(200, "ok\n"))
                        .get("/slow", r -> {
                            Thread.sleep(600); // a handler slower than the idle timeout
                            return Response.text(200, "done\n");
                        }))
                .limits(new ConnectionLimits(MAX, PER_CLIENT, idleTimeout)).handlers(threads)
                .start(new InetSocketAddress("127.0.0.1", 0));
        return server;
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        server.close();
        threads.shutdownNow();
    }

    /** A connection from {@code source} that has been served once and stays open. */
    private Socket served(String source) throws IOException {
        Socket socket = open(source);
        RawHttp.send(socket, RawHttp.get("/healthz"));
        assertThat(RawHttp.read(socket).status()).as("a request within the limits from " + source).isEqualTo(200);
        return socket;
    }

    private Socket open(String source) throws IOException {
        Socket socket = RawHttp.connect(server.port(), source);
        sockets.add(socket);
        return socket;
    }

    private static void assertRefused(Socket socket) throws IOException {
        RawHttp.send(socket, RawHttp.get("/healthz"));
        RawHttp.Answer answer = RawHttp.read(socket);
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.header("content-type")).isEqualTo("application/problem+json");
        assertThat(answer.body()).contains("\"type\":\"/problems/too-many-connections\"");
        assertThat(answer.header("retry-after")).isEqualTo("1");
        assertThat(RawHttp.closedByServer(socket)).as("closed after the 503").isTrue();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void aClientBeyondItsShareIsAnswered503WhileOtherClientsAreServed() throws Exception {
        start(Duration.ofHours(1));
        for (int i = 0; i < PER_CLIENT; i++) {
            served("127.0.0.1");
        }
        assertRefused(open("127.0.0.1"));
        served("127.0.0.2");
        assertThat(server.openConnections()).isEqualTo(PER_CLIENT + 1);
    }

    @Test
    void aFullServerAnswers503AndServesAFreshConnectionOnceOneIsReleased() throws Exception {
        start(Duration.ofHours(1));
        List<Socket> first = new ArrayList<>();
        for (int i = 0; i < PER_CLIENT; i++) {
            first.add(served("127.0.0.1"));
            served("127.0.0.2");
        }
        assertRefused(open("127.0.0.3"));

        first.get(0).close();
        await("the released connection is counted out", () -> server.openConnections() < MAX);
        served("127.0.0.3");
    }

    @Test
    void aFloodFarBeyondTheCapIsShedAndTheServerKeepsServing() throws Exception {
        start(Duration.ofHours(1));
        List<Socket> flood = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            flood.add(open("127.0.0.1"));
        }
        await("the flood is counted", () -> server.openConnections() == PER_CLIENT);
        List<Socket> stillOpen = new ArrayList<>(flood);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (stillOpen.size() > PER_CLIENT && System.nanoTime() < deadline) {
            stillOpen.removeIf(ConnectionFloodTest::closedByServerAlready);
        }
        assertThat(stillOpen).as("all but the admitted connections closed by the server (at once, or after the "
                + "time given to send a request)").hasSize(PER_CLIENT);
        assertThat(server.openConnections()).isEqualTo(PER_CLIENT);

        served("127.0.0.2");
        for (Socket socket : flood) {
            socket.close();
        }
        await("the flood is counted out", () -> server.openConnections() == 1);
        served("127.0.0.1");
    }

    private static boolean closedByServerAlready(Socket socket) {
        try {
            socket.setSoTimeout(10);
            return socket.getInputStream().read() == -1;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void anIdleConnectionIsClosedButOneWaitingForItsAnswerIsNot() throws Exception {
        start(Duration.ofMillis(200));
        Socket idle = served("127.0.0.1");
        assertThat(RawHttp.closedByServer(idle)).as("closed after the idle timeout").isTrue();
        await("the idle connection is counted out", () -> server.openConnections() == 0);

        Socket waiting = open("127.0.0.1");
        RawHttp.send(waiting, RawHttp.get("/slow"));
        assertThat(RawHttp.read(waiting).status()).as("answered after three idle timeouts").isEqualTo(200);
    }
}
