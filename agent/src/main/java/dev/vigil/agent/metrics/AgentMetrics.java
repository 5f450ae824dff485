package dev.vigil.agent.metrics;

import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.fields.AgentFamilies;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.List;
import java.util.Locale;

/**
 * The agent's own metrics under {@code vigil_agent_}: how long sampling and scrapes take and how
 * often the backend fails. One registry per agent, so several agents can share a process
 * ({@code vigil up}). Their names come from {@link AgentFamilies}, as a scrape shows them (the
 * client library takes a counter's {@code _total} and an info's {@code _info} off and puts them back).
 */
public final class AgentMetrics {
    private static final double[] SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1, 2.5};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram sampleDuration = Histogram.builder()
            .name(AgentFamilies.SAMPLE_DURATION)
            .help("Time to read every field of every GPU from the backend and evaluate health.")
            .classicOnly().classicUpperBounds(SECONDS)
            .register(registry);
    private final Histogram scrapeDuration = Histogram.builder()
            .name(AgentFamilies.SCRAPE_DURATION)
            .help("Time to answer /metrics; the body is rendered after each sample, so this is a lookup unless no sample came since.")
            .classicOnly().classicUpperBounds(SECONDS)
            .register(registry);
    private static final double[] REPORT_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
            10};
    /** The results of a report request, as the {@code result} label says them. */
    public static final List<String> REPORT_RESULTS = List.of("ok", "error", "refused");

    private final Counter backendErrors = Counter.builder()
            .name(AgentFamilies.BACKEND_ERRORS)
            .help("Sampling cycles that failed, by reason.")
            .labelNames("reason")
            .register(registry);

    public AgentMetrics(String version, String backend) {
        Info info = Info.builder().name(AgentFamilies.INFO).help("The agent's version and GPU backend.")
                .labelNames("version", "backend").register(registry);
        info.setLabelValues(version, backend);
        for (GpuBackendException.Reason reason : GpuBackendException.Reason.values()) {
            backendErrors.labelValues(wire(reason));
        }
    }

    private Counter reports;
    private Histogram reportDuration;

    /**
     * Registers the report metrics; only agents that report to a controller have them.
     * {@code vigil_agent_reports_total{result}} counts requests: ok (the controller answered with
     * the desired state), error (no answer: connection failed, timeout, 5xx; the next member is
     * tried) and refused (4xx: the token or the report was refused).
     */
    public synchronized void reportingEnabled() {
        if (reports != null) {
            return;
        }
        reports = Counter.builder()
                .name(AgentFamilies.REPORTS)
                .help("Report requests to the controller, by result: ok, error (no answer or 5xx), refused (4xx).")
                .labelNames("result")
                .register(registry);
        for (String result : REPORT_RESULTS) {
            reports.labelValues(result);
        }
        reportDuration = Histogram.builder()
                .name(AgentFamilies.REPORT_DURATION)
                .help("Time from sending a report to the controller's answer (or the error), per request.")
                .classicOnly().classicUpperBounds(REPORT_SECONDS)
                .register(registry);
    }

    /** One report request: its result ({@link #REPORT_RESULTS}) and how long it took. */
    public void reported(String result, long nanos) {
        reports.labelValues(result).inc();
        reportDuration.observe(nanos / 1e9);
    }

    PrometheusRegistry registry() {
        return registry;
    }

    public void sampled(long nanos) {
        sampleDuration.observe(nanos / 1e9);
    }

    public void failed(GpuBackendException.Reason reason) {
        backendErrors.labelValues(wire(reason)).inc();
    }

    void scraped(long nanos) {
        scrapeDuration.observe(nanos / 1e9);
    }

    private static String wire(GpuBackendException.Reason reason) {
        return reason.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
