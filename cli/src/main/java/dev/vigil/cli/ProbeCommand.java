package dev.vigil.cli;

import dev.vigil.agent.Backends;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.gpu.backend.EntitySample;
import dev.vigil.gpu.backend.FieldStatus;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.backend.NodeSample;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code vigil probe}: what the GPU backend sees, once. */
@Command(name = "probe",
        mixinStandardHelpOptions = true,
        description = {
                "Open the GPU backend once, print the inventory and one sample of every field, and exit.",
                "It only reads: it never changes MIG, clocks, power limits or persistence, and never resets a GPU.",
                "Fields a GPU does not support are listed with the reason instead of a value.",
                ""},
        footer = {"", "Examples:",
                "  vigil probe                                   # the configured backend (auto: DCGM, else NVML)",
                "  vigil probe --backend nvml -o json",
                "  vigil probe -o csv --fields DCGM_FI_DEV_GPU_TEMP,DCGM_FI_DEV_FB_USED,DCGM_FI_DEV_POWER_USAGE"})
final class ProbeCommand implements Callable<Integer> {
    /** How to print. */
    enum Output { TABLE, JSON, CSV }

    private static final int ATTEMPTS = 5;

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Agent config to read the backend settings from (default: /etc/vigil/agent.yaml if present).")
    Path config;

    @Option(names = "--backend", paramLabel = "KIND", description = "auto, dcgm, nvml or simulated.")
    String backend;

    @Option(names = "--fields", paramLabel = "LIST", split = ",", defaultValue = "all",
            description = "Field sets and names, comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> fields;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table, json or csv (csv: one row per GPU, a column per field in the order of --fields; "
                    + "default: ${DEFAULT-VALUE}).")
    Output output;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        AgentConfig agentConfig;
        List<Field> chosen;
        try {
            Map<String, String> overrides = new LinkedHashMap<>();
            overrides.put("backend", backend);
            agentConfig = AgentConfigs.load(config, overrides);
            chosen = new AgentConfig.Sampling(null, fields).resolveAsWritten();
        } catch (InvalidDocumentException | IllegalArgumentException e) {
            err.println("vigil probe: " + e.getMessage());
            return ExitCodes.CONFIG;
        }
        GpuBackend gpuBackend;
        try {
            gpuBackend = Backends.open(agentConfig, Clock.systemUTC());
        } catch (GpuBackendException e) {
            err.println("vigil probe: no GPU backend: " + e.getMessage());
            return ExitCodes.NO_BACKEND;
        }
        try (gpuBackend) {
            FieldSet set = new FieldSet(chosen);
            NodeSample sample = firstCompleteSample(gpuBackend, set, agentConfig.sampling().interval().toMillis());
            print(gpuBackend.name(), gpuBackend.inventory(), sample, set);
            return ExitCodes.OK;
        } catch (GpuBackendException e) {
            err.println("vigil probe: sampling failed: " + e.getMessage());
            return ExitCodes.FAILED;
        }
    }

    /** A new watch may not have values on its first read; ask again a few times, an interval apart. */
    private static NodeSample firstCompleteSample(GpuBackend backend, FieldSet set, long intervalMillis)
            throws GpuBackendException, InterruptedException {
        NodeSample sample = backend.sample(set);
        for (int attempt = 1; attempt < ATTEMPTS && hasNoData(sample, set); attempt++) {
            Thread.sleep(intervalMillis);
            sample = backend.sample(set);
        }
        return sample;
    }

    private static boolean hasNoData(NodeSample sample, FieldSet set) {
        return sample.entities().stream().anyMatch(e -> {
            for (int slot = 0; slot < set.size(); slot++) {
                if (e.status(slot) == FieldStatus.NO_DATA) {
                    return true;
                }
            }
            return false;
        });
    }

    private void print(String backendName, NodeInventory inventory, NodeSample sample, FieldSet set)
            throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        switch (output) {
            case JSON -> {
                Map<String, Object> document = new LinkedHashMap<>();
                document.put("backend", backendName);
                document.put("inventory", inventory);
                document.put("sampledAt", sample.time());
                List<Map<String, Object>> entities = new ArrayList<>();
                for (EntitySample entity : sample.entities()) {
                    Map<String, Object> values = new LinkedHashMap<>();
                    Map<String, String> missing = new LinkedHashMap<>();
                    for (int slot = 0; slot < set.size(); slot++) {
                        if (entity.has(slot)) {
                            values.put(set.field(slot).name(), entity.value(slot));
                        } else {
                            missing.put(set.field(slot).name(), wire(entity.status(slot)));
                        }
                    }
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("gpu", entity.gpu());
                    row.put("gpuInstanceId", entity.gpuInstanceId());
                    row.put("values", values);
                    row.put("missing", missing);
                    entities.add(row);
                }
                document.put("entities", entities);
                out.println(Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(document));
            }
            case CSV -> {
                out.println("gpu,uuid," + String.join(",", set.fields().stream().map(Field::name).toList()));
                for (EntitySample entity : sample.entities()) {
                    if (entity.isMigInstance()) {
                        continue;
                    }
                    List<String> cells = new ArrayList<>(List.of(String.valueOf(entity.gpu()),
                            inventory.gpus().get(entity.gpu()).uuid()));
                    for (int slot = 0; slot < set.size(); slot++) {
                        cells.add(entity.has(slot) ? number(entity.value(slot)) : "");
                    }
                    out.println(String.join(",", cells));
                }
            }
            case TABLE -> table(out, backendName, inventory, sample, set);
        }
        out.flush();
    }

    private static void table(PrintWriter out, String backendName, NodeInventory inventory, NodeSample sample,
                              FieldSet set) {
        out.printf("node %s, backend %s, driver %s, %d GPUs, sampled %s%n", inventory.node(), backendName,
                inventory.driverVersion(), inventory.gpus().size(), sample.time());
        out.printf("topology: nvlink %s, PCIe switches %s, NUMA %s%n%n", inventory.topology().nvlink(),
                inventory.topology().pcieSwitches(), inventory.topology().numaNodes().stream()
                        .map(n -> n.id() + ":" + n.gpus()).toList());
        for (EntitySample entity : sample.entities()) {
            GpuDevice device = inventory.gpus().get(entity.gpu());
            if (entity.isMigInstance()) {
                out.printf("GPU %d MIG instance %d%n", entity.gpu(), entity.gpuInstanceId());
            } else {
                out.printf("GPU %d  %s  %s  bus %s  %d MiB  NUMA %s  CPUs %s  NVLink %d up  MIG %s%n", device.index(),
                        device.model(), device.uuid(), device.pciBusId(), device.memoryMiB(), device.numaNode(),
                        device.cpuAffinity(), device.nvlinkLinks(), device.mig().capable()
                                ? (device.mig().enabled() ? "on, " + device.mig().instances().size() + " instances" : "off")
                                : "no");
            }
            if (entity.lost()) {
                out.println("  the GPU does not answer");
                continue;
            }
            List<String> missing = new ArrayList<>();
            for (int slot = 0; slot < set.size(); slot++) {
                Field field = set.field(slot);
                if (entity.has(slot)) {
                    out.printf("  %-48s %16s %s%n", field.name(), number(entity.value(slot)), field.unit());
                } else if (!entity.isMigInstance() || field.perMigInstance()) {
                    missing.add(field.name() + " (" + wire(entity.status(slot)) + ")");
                }
            }
            if (!missing.isEmpty()) {
                out.println("  left out: " + String.join(", ", missing));
            }
            out.println();
        }
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String wire(FieldStatus status) {
        return status.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
