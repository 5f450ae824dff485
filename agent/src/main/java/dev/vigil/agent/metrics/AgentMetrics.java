package dev.vigil.agent.metrics;

import dev.vigil.gpu.backend.GpuBackendException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.Locale;

/**
 * The agent's own metrics under {@code vigil_agent_}: how long sampling and scrapes take and how
 * often the backend fails. One registry per agent, so several agents can share a process
 * ({@code vigil up}).
 */
public final class AgentMetrics {
    private static final double[] SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1, 2.5};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram sampleDuration = Histogram.builder()
            .name("vigil_agent_sample_duration_seconds")
            .help("Time to read every field of every GPU from the backend and evaluate health.")
            .classicOnly().classicUpperBounds(SECONDS)
            .register(registry);
    private final Histogram scrapeDuration = Histogram.builder()
            .name("vigil_agent_scrape_duration_seconds")
            .help("Time to answer /metrics; the body is rendered after each sample, so this is a lookup unless no sample came since.")
            .classicOnly().classicUpperBounds(SECONDS)
            .register(registry);
    private final Counter backendErrors = Counter.builder()
            .name("vigil_agent_backend_errors")
            .help("Sampling cycles that failed, by reason.")
            .labelNames("reason")
            .register(registry);

    public AgentMetrics(String version, String backend) {
        Info info = Info.builder().name("vigil_agent").help("The agent's version and GPU backend.")
                .labelNames("version", "backend").register(registry);
        info.setLabelValues(version, backend);
        for (GpuBackendException.Reason reason : GpuBackendException.Reason.values()) {
            backendErrors.labelValues(wire(reason));
        }
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
