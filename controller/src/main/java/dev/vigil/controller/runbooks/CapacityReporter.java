package dev.vigil.controller.runbooks;

import dev.vigil.controller.capacity.CapacityReport;
import dev.vigil.controller.capacity.CapacityReports;
import dev.vigil.controller.config.RunbookSettings;
import dev.vigil.controller.state.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The {@code report} step's work: the capacity report over the week before, from the stored jobs
 * and nodes, written as JSON and Markdown and sent to the configured webhook, on a thread of its
 * own (reading every job is not for the leader's event loop).
 */
public final class CapacityReporter implements LeaderFleet.Reports, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CapacityReporter.class);

    private final Store store;
    private final RunbookSettings settings;
    private final Path dir;
    private final CapacityReports reports = new CapacityReports();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "vigil-capacity-report");
        thread.setDaemon(true);
        return thread;
    });

    public CapacityReporter(Store store, RunbookSettings settings, Path dataDir) {
        this.store = store;
        this.settings = settings;
        this.dir = settings.reports() != null ? settings.reports() : dataDir.resolve("reports");
    }

    @Override
    public void report(String id, Instant now) {
        worker.execute(() -> {
            try {
                CapacityReport report = CapacityReport.of(store.jobs(), store.nodes(), now, CapacityReport.WEEK);
                CapacityReports.Written written = reports.write(report, dir);
                boolean sent = settings.reportWebhook() != null && reports.send(report, settings.reportWebhook());
                LOG.atInfo().addKeyValue("id", id).addKeyValue("json", written.json())
                        .addKeyValue("markdown", written.markdown()).addKeyValue("sent", sent).log("capacity_report");
            } catch (RuntimeException e) {
                LOG.atError().addKeyValue("id", id).addKeyValue("error", e.toString()).log("capacity_report_failed");
            }
        });
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
