package dev.vigil.agent.metrics;

import dev.vigil.agent.sampling.Snapshot;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.placement.PlacementVerdict;
import dev.vigil.api.mig.GpuMigStatus;
import dev.vigil.gpu.backend.EntitySample;
import dev.vigil.gpu.fields.AgentFamilies;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.fields.MetricType;
import dev.vigil.gpu.xid.XidCatalog;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Renders /metrics in Prometheus' text format with dcgm-exporter's metric names and labels, so its
 * Grafana dashboard and alert rules work unchanged:
 * {@code gpu, UUID, pci_bus_id, device, modelName, Hostname} on every GPU series,
 * {@code GPU_I_PROFILE, GPU_I_ID} on MIG instances, {@code err_code, err_msg} on
 * {@code DCGM_FI_DEV_XID_ERRORS}, and {@code DCGM_EXP_XID_ERRORS_COUNT} over a window.
 *
 * <p>A field without a value (not supported, no data, GPU lost) is left out, never printed as a
 * sentinel. DCGM counters keep their names: the client library only types a counter whose name
 * ends in {@code _total}, so they are exposed untyped, which PromQL's {@code rate()} reads the
 * same way. GPU families are built once per snapshot and reused by every scrape of it; their
 * series come in GPU order, as dcgm-exporter's do ({@link GpuFamily}).
 */
public final class MetricsExporter {
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String[] GPU_LABELS = {"gpu", "UUID", "pci_bus_id", "device", "modelName", "Hostname"};
    private static final String[] HEALTH_STATES = {"healthy", "degraded", "failed"};

    private final String hostname;
    private final FieldSet sampled;
    private final List<Field> exported;
    private final boolean driverVersionLabel;
    private final AgentMetrics own;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(128 * 1024);

    private Snapshot renderedFrom;
    private byte[] body = new byte[0];
    private NodeInventory labelledFrom;
    private final Map<Long, Labels> labels = new HashMap<>();
    private volatile Supplier<List<GpuMigStatus>> migStatuses;
    private volatile Supplier<Map<Integer, Map<PlacementVerdict, Integer>>> placementCounts;

    /**
     * @param hostname the {@code Hostname} label
     * @param sampled  the fields the sampler reads (slots of the samples)
     * @param exported the fields to export (may include the driver-version label field)
     * @param own      the agent's own metrics
     */
    public MetricsExporter(String hostname, FieldSet sampled, List<Field> exported, AgentMetrics own) {
        this.hostname = hostname;
        this.sampled = sampled;
        this.exported = exported.stream().filter(f -> f.type() != MetricType.LABEL).toList();
        this.driverVersionLabel = exported.contains(FieldCatalog.DRIVER_VERSION);
        this.own = own;
    }

    /**
     * Exports {@code vigil_mig_phase} from now on, one series per GPU with a MIG target (an agent that
     * reports to a controller).
     */
    public void migPhases(Supplier<List<GpuMigStatus>> statuses) {
        this.migStatuses = statuses;
    }

    /** Exports {@code vigil_gpu_processes} from now on: per GPU and verdict, how many processes it has. */
    public void placementCounts(Supplier<Map<Integer, Map<PlacementVerdict, Integer>>> counts) {
        this.placementCounts = counts;
    }

    public String contentType() {
        return CONTENT_TYPE;
    }

    /**
     * Renders /metrics for a new snapshot. The sampling loop calls this right after publishing,
     * so a scrape hands out bytes that are already there; the agent's own series in them are as
     * of that moment (a scrape's own duration shows in the next body).
     */
    public synchronized void prepare(Snapshot snapshot) {
        buffer.reset();
        StringBuilder gpus = new StringBuilder(64 * 1024);
        gpuFamilies(snapshot).forEach(family -> family.writeTo(gpus));
        buffer.writeBytes(GpuFamily.bytes(gpus));
        List<MetricSnapshot> ownFamilies = new ArrayList<>();
        own.registry().scrape().forEach(ownFamilies::add);
        write(ownFamilies);
        body = buffer.toByteArray();
        renderedFrom = snapshot;
    }

    /** The whole /metrics body for {@code snapshot}. */
    public synchronized byte[] render(Snapshot snapshot) {
        long start = System.nanoTime();
        if (snapshot != renderedFrom) {
            prepare(snapshot);
        }
        own.scraped(System.nanoTime() - start);
        return body;
    }

    private void write(List<MetricSnapshot> families) {
        try {
            writer.write(buffer, new MetricSnapshots(families), EscapingScheme.ALLOW_UTF8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every GPU family, each with its series in GPU order (then MIG instance, then XID). */
    private List<GpuFamily> gpuFamilies(Snapshot snapshot) {
        List<GpuFamily> families = new ArrayList<>(exported.size() + 3);
        if (snapshot.sample() == null) {
            return families;
        }
        NodeInventory inventory = snapshot.inventory();
        if (inventory != labelledFrom) {
            labels.clear();
            labelledFrom = inventory;
        }
        List<EntitySample> entities = snapshot.sample().entities().stream()
                .sorted(Comparator.comparingInt(EntitySample::gpu)
                        .thenComparingInt(e -> e.isMigInstance() ? e.gpuInstanceId() : -1)).toList();
        for (Field field : exported) {
            int slot = sampled.slot(field);
            if (field == FieldCatalog.XID_ERRORS) {
                families.add(lastXid(field, slot, entities, snapshot, inventory));
                continue;
            }
            GpuFamily family = new GpuFamily(field.name(), field.help(),
                    field.type() == MetricType.GAUGE ? "gauge" : "untyped");
            for (EntitySample entity : entities) {
                if (entity.has(slot)) {
                    family.add(labelsOf(entity, inventory), entity.value(slot));
                }
            }
            families.add(family);
        }
        families.add(xidCounts(snapshot, inventory));
        families.add(health(snapshot, inventory));
        Supplier<List<GpuMigStatus>> mig = migStatuses;
        if (mig != null) {
            families.add(migPhases(mig.get(), inventory));
        }
        Supplier<Map<Integer, Map<PlacementVerdict, Integer>>> placement = placementCounts;
        if (placement != null) {
            families.add(processes(placement.get(), inventory));
        }
        return families;
    }

    /**
     * The last XID, labelled with its code and meaning like dcgm-exporter. It comes from the
     * event stream, which sees every XID, so it stays visible for a GPU that fell off the bus and
     * answers no field any more; the backend's field is the fallback before any event.
     */
    private GpuFamily lastXid(Field field, int slot, List<EntitySample> entities, Snapshot snapshot,
                              NodeInventory inventory) {
        GpuFamily family = new GpuFamily(field.name(), field.help(), "gauge");
        for (EntitySample entity : entities) {
            Integer fromEvents = snapshot.lastXids().get(entity.gpu());
            if (!entity.isMigInstance() && (fromEvents != null || entity.has(slot))) {
                int xid = fromEvents != null ? fromEvents : (int) entity.value(slot);
                String message = xid == 0 ? "No Error" : XidCatalog.lookup(xid).meaning();
                family.add(labelsOf(entity, inventory).merge(new String[]{"err_code", "err_msg"},
                        new String[]{String.valueOf(xid), message}), xid);
            }
        }
        return family;
    }

    private GpuFamily xidCounts(Snapshot snapshot, NodeInventory inventory) {
        GpuFamily family = new GpuFamily(AgentFamilies.XID_ERRORS_COUNT,
                "XIDs per GPU and XID in the last window_size_in_ms milliseconds.", "gauge");
        String window = String.valueOf(snapshot.xidWindow().toMillis());
        snapshot.xidCounts().entrySet().stream()
                .filter(count -> count.getKey().gpu() < inventory.gpus().size())
                .sorted(Map.Entry.comparingByKey())
                .forEach(count -> family.add(gpuLabels(inventory.gpus().get(count.getKey().gpu()), inventory).merge(
                        new String[]{"xid", "window_size_in_ms"},
                        new String[]{String.valueOf(count.getKey().xid()), window}), count.getValue()));
        return family;
    }

    private GpuFamily health(Snapshot snapshot, NodeInventory inventory) {
        GpuFamily family = new GpuFamily(AgentFamilies.GPU_HEALTH_STATE,
                "1 for the GPU's current health state (healthy, degraded, failed), 0 for the others.", "gauge");
        snapshot.health().stream().filter(health -> health.gpu() < inventory.gpus().size())
                .sorted(Comparator.comparingInt(GpuHealth::gpu)).forEach(health -> {
                    Labels base = gpuLabels(inventory.gpus().get(health.gpu()), inventory);
                    for (String state : HEALTH_STATES) {
                        boolean current = health.state() == HealthState.valueOf(state.toUpperCase(Locale.ROOT));
                        family.add(base.add("state", state), current ? 1 : 0);
                    }
                });
        return family;
    }

    private GpuFamily migPhases(List<GpuMigStatus> statuses, NodeInventory inventory) {
        GpuFamily family = new GpuFamily(AgentFamilies.MIG_PHASE,
                "1 for the phase of the GPU's MIG target (applying, success, failed, reset-required).", "gauge");
        statuses.stream().filter(status -> status.gpu() < inventory.gpus().size())
                .sorted(Comparator.comparingInt(GpuMigStatus::gpu))
                .forEach(status -> family.add(gpuLabels(inventory.gpus().get(status.gpu()), inventory)
                        .add("phase", status.phase().wire()), 1));
        return family;
    }

    private GpuFamily processes(Map<Integer, Map<PlacementVerdict, Integer>> counts, NodeInventory inventory) {
        GpuFamily family = new GpuFamily(AgentFamilies.GPU_PROCESSES,
                "Processes on the GPU per placement verdict (allowed, overreach, rogue, system, unjudged).", "gauge");
        counts.forEach((gpu, byVerdict) -> {
            if (gpu < inventory.gpus().size()) {
                Labels base = gpuLabels(inventory.gpus().get(gpu), inventory);
                byVerdict.forEach((verdict, count) -> family.add(base.add("verdict", verdict.wire()), count));
            }
        });
        return family;
    }

    private Labels labelsOf(EntitySample entity, NodeInventory inventory) {
        GpuDevice device = inventory.gpus().get(entity.gpu());
        if (!entity.isMigInstance()) {
            return gpuLabels(device, inventory);
        }
        long key = ((long) entity.gpu() << 32) | (entity.gpuInstanceId() + 1L);
        return labels.computeIfAbsent(key, k -> {
            String profile = device.mig().instances().stream()
                    .filter(m -> m.gpuInstanceId() == entity.gpuInstanceId())
                    .map(MigInstance::profile).findFirst().orElse("");
            return gpuLabels(device, inventory).merge(new String[]{"GPU_I_PROFILE", "GPU_I_ID"},
                    new String[]{profile, String.valueOf(entity.gpuInstanceId())});
        });
    }

    private Labels gpuLabels(GpuDevice device, NodeInventory inventory) {
        long key = (long) device.index() << 32;
        return labels.computeIfAbsent(key, k -> {
            Labels base = Labels.of(GPU_LABELS, new String[]{String.valueOf(device.index()), device.uuid(),
                    device.pciBusId(), device.deviceName(), device.model(), hostname});
            return driverVersionLabel ? base.add(FieldCatalog.DRIVER_VERSION.name(), inventory.driverVersion()) : base;
        });
    }
}
