package dev.vigil.controller.metrics;

import dev.vigil.controller.scheduling.JobsView;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SchedulerMetricsTest {
    @Test
    void aTenantSeenInOneCycleKeepsItsSeriesAtZeroThoughNoScrapeCaughtIt() {
        SchedulerMetrics metrics = new SchedulerMetrics();
        PrometheusRegistry registry = new PrometheusRegistry();
        metrics.register(registry, () -> true);

        metrics.published(new JobsView(List.of(), Map.of("vision", 8_000L), Map.of()));
        metrics.published(JobsView.EMPTY);

        GaugeSnapshot allocated = (GaugeSnapshot) registry.scrape().stream()
                .filter(m -> m.getMetadata().getPrometheusName().equals("vigil_controller_allocated_gpus"))
                .findFirst().map(MetricSnapshot.class::cast).orElseThrow();
        assertThat(allocated.getDataPoints()).singleElement().satisfies(point -> {
            assertThat(point.getLabels().get("tenant")).isEqualTo("vision");
            assertThat(point.getValue()).isZero();
        });
    }
}
