package dev.vigil.controller.capacity;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.JobTransition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class CapacityReportsTest {
    private final CapacityReport report = CapacityReport.of(Fleet.jobs(), Fleet.nodes(), Fleet.NOW,
            CapacityReport.WEEK);
    private final CapacityReports reports = new CapacityReports(Duration.ofSeconds(5), Duration.ofMillis(10));
    private final List<String> contentTypes = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void writesJsonAndMarkdownNamedByTheDayThePeriodEnds(@TempDir Path dir) throws IOException {
        CapacityReports.Written written = reports.write(report, dir.resolve("reports"));

        assertThat(written.json()).isEqualTo(dir.resolve("reports/capacity-2026-12-06.json"));
        assertThat(written.markdown()).isEqualTo(dir.resolve("reports/capacity-2026-12-06.md"));
        assertThat(Documents.json().readValue(written.json().toFile(), CapacityReport.class)).isEqualTo(report);
        try (var files = Files.list(dir.resolve("reports"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("capacity-2026-12-06.json", "capacity-2026-12-06.md");
        }
    }

    @Test
    void aSecondReportTheSameDayReplacesTheFiles(@TempDir Path dir) throws IOException {
        reports.write(CapacityReport.of(List.of(), List.of(), Fleet.NOW, CapacityReport.WEEK), dir);

        CapacityReports.Written written = reports.write(report, dir);

        assertThat(Files.readString(written.markdown())).contains("| vision | 128.00 | 3 |");
    }

    @Test
    void theMarkdownHasEachSectionsTableWithTheReportsNumbers(@TempDir Path dir) throws IOException {
        String md = Files.readString(reports.write(report, dir).markdown());

        assertThat(md).contains("Period: 2026-11-29T00:00:00Z to 2026-12-06T00:00:00Z (7d).")
                .contains("Total: 182.00 GPU-hours.")
                .contains("| Tenant | GPU-hours | Jobs |\n|---|---|---|\n| vision | 128.00 | 3 |\n| nlp | 54.00 | 2 |\n")
                .contains("| " + Fleet.H100 + " | 178.00 | 4 |\n| " + Fleet.A100 + " | 4.00 | 1 |\n")
                .contains("| vision | " + Fleet.H100 + " | 128.00 | 3 |\n| nlp | " + Fleet.H100 + " | 50.00 | 1 |\n"
                        + "| nlp | " + Fleet.A100 + " | 4.00 | 1 |\n")
                .contains("Idle: 29.00 GPU-hours.")
                .contains("| running | nlp | h100-1 | 0 | 1.00 | 0.0 | 25.00 |")
                .contains("| mig | nlp | a100-1 | 0 | 0.14 | 2.0 | 2.00 |")
                .contains("| 4 | 1h | 5h | 5h | 1 | 6h |")
                .contains("| Succeeded | Failed | Cancelled | Requeued |\n|---|---|---|---|\n| 2 | 1 | 1 | 1 |")
                .contains("| Jobs submitted | 6 | 2 |\n| Requested GPU-hours | 260.00 | 100.00 |")
                .contains("Growth: +160.0 %.")
                .contains("| h100-1 | 3 | GPU-h100-1-3 | " + Fleet.H100 + " | failed | GPU has fallen off the bus (XID 79)"
                        + " | yes: XID 79 \\| fallen off the bus | 2026-12-05T21:00:00Z |")
                .contains("| h100-1 | 4 | GPU-h100-1-4 | " + Fleet.H100 + " | failed | uncorrectable ECC error"
                        + " (double bit) | no | 2026-12-05T19:00:00Z |")
                .contains("| a100-1 | 5 | GPU-a100-1-5 | " + Fleet.A100 + " | — | — | yes: fan noise |")
                .contains("| h100-2 | drained | 8 | rack maintenance | 2026-12-05T23:00:00Z |");
    }

    @Test
    void anEmptyPeriodSaysSoInsteadOfEmptyTables() {
        String md = CapacityMarkdown.render(CapacityReport.of(List.of(), List.of(), Fleet.NOW, CapacityReport.WEEK));

        assertThat(md).contains("### By tenant\n\nNone.\n")
                .contains("| 0 | — | — | — | 0 | — |")
                .contains("Growth: no data for the period before.");
    }

    @Test
    void waitsReadInWholeUnitsAndUnderASecondInMilliseconds() {
        Instant submitted = Fleet.hoursAgo(30);
        List<JobRecord> jobs = List.of(started("slow", submitted, submitted.plus(Duration.ofSeconds(93_784))),
                started("quick", submitted, submitted.plusMillis(500)));

        String md = CapacityMarkdown.render(CapacityReport.of(jobs, List.of(), Fleet.NOW, CapacityReport.WEEK));

        assertThat(md).contains("| 2 | 500ms | 1d 2h 3m 4s | 1d 2h 3m 4s | 0 | — |");
    }

    private static JobRecord started(String id, Instant submitted, Instant running) {
        return new JobRecord(id, Fleet.training("t", 1, List.of(), 1), 0, JobState.RUNNING, null, "", submitted,
                running, null, List.of(), 1, List.of(new JobTransition(null, JobState.PENDING, "submitted", submitted),
                new JobTransition(JobState.PENDING, JobState.RUNNING, "started", running)));
    }

    @Test
    void theWebhookReceivesTheReportsJson() throws Exception {
        List<String> bodies = serve(200);

        assertThat(reports.send(report, webhook("/hooks/capacity?token=s3cret"))).isTrue();

        assertThat(bodies).hasSize(1);
        assertThat(contentTypes).containsExactly("application/json");
        assertThat(Documents.json().readValue(bodies.get(0), CapacityReport.class)).isEqualTo(report);
    }

    @Test
    void aFailedDeliveryIsTriedOnceMore() throws Exception {
        List<String> bodies = serve(503, 204);

        assertThat(reports.send(report, webhook("/hook"))).isTrue();

        assertThat(bodies).hasSize(2);
    }

    @Test
    void aWebhookThatKeepsFailingIsLoggedOnceNotThrown() throws Exception {
        List<String> bodies = serve(500, 500, 500);
        List<ILoggingEvent> lines = logged(() -> assertThat(reports.send(report, webhook("/hook?token=s3cret")))
                .isFalse());

        assertThat(bodies).hasSize(2);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).getMessage()).isEqualTo("capacity_report_not_sent");
        assertThat(keyValues(lines.get(0))).containsEntry("error", "status 500").containsEntry("attempts", "2")
                .containsEntry("webhook", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Test
    void aWebhookHttpCannotReachIsLoggedNotThrown() {
        List<ILoggingEvent> lines = logged(() -> assertThat(reports.send(report, URI.create("ftp://reports.example/in")))
                .isFalse());

        assertThat(lines).extracting(ILoggingEvent::getMessage).containsExactly("capacity_report_not_sent");
        assertThat(keyValues(lines.get(0))).containsEntry("webhook", "ftp://reports.example");
    }

    @Test
    void anInterruptedSendStopsAndKeepsTheInterrupt() throws Exception {
        serve(200);
        Thread.currentThread().interrupt();
        try {
            List<ILoggingEvent> lines = logged(() -> assertThat(reports.send(report, webhook("/hook"))).isFalse());
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
            assertThat(keyValues(lines.get(0))).containsEntry("attempts", "1").containsEntry("error", "interrupted");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void theLogNamesTheWebhooksHostNotItsSecrets() {
        assertThat(CapacityReports.where(URI.create("https://user:pass@hooks.example:8443/T0/B1/s3cret?token=x")))
                .isEqualTo("https://hooks.example:8443");
        assertThat(CapacityReports.where(URI.create("https://hooks.example/s3cret"))).isEqualTo("https://hooks.example");
    }

    @Test
    void aDeadWebhookDoesNotThrow() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        URI dead = URI.create("http://127.0.0.1:" + port + "/hook");

        List<ILoggingEvent> lines = logged(() -> assertThat(reports.send(report, dead)).isFalse());

        assertThat(lines).extracting(ILoggingEvent::getMessage).containsExactly("capacity_report_not_sent");
        assertThat(keyValues(lines.get(0))).containsKey("error").containsEntry("attempts", "2");
    }

    /** Answers each POST with the next of {@code statuses}; returns the bodies it got. */
    private List<String> serve(int... statuses) throws IOException {
        List<String> bodies = new CopyOnWriteArrayList<>();
        AtomicInteger next = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
            exchange.sendResponseHeaders(statuses[Math.min(next.getAndIncrement(), statuses.length - 1)], -1);
            exchange.close();
        });
        server.start();
        return bodies;
    }

    private URI webhook(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static List<ILoggingEvent> logged(Runnable action) {
        Logger logger = (Logger) LoggerFactory.getLogger(CapacityReports.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            action.run();
        } finally {
            logger.detachAppender(lines);
        }
        return lines.list.stream().filter(e -> e.getLevel().toString().equals("WARN")).toList();
    }

    private static Map<String, String> keyValues(ILoggingEvent event) {
        return event.getKeyValuePairs().stream().collect(Collectors.toMap(kv -> kv.key, kv -> String.valueOf(kv.value)));
    }
}
