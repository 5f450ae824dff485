package dev.vigil.gpu.mig;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.binding.InvalidValueException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A mig-parted config file (NVIDIA mig-parted {@code api/spec/v1}) and the per-GPU plans it implies
 * for one node.
 *
 * <p>Selection follows mig-parted: an entry applies to a GPU when {@code devices} is {@code all} or
 * lists the GPU's index, and {@code device-filter}, when present, names the GPU's PCI device id.
 * Unlike mig-parted, which quietly applies what it can, a GPU selected by two entries, an index the
 * node does not have, a profile the GPU's model lacks and a layout that cannot exist are errors, all
 * reported together. A GPU no entry selects keeps its current state.
 */
public final class MigPartedConfig {
    private final String source;
    private final MigPartedDocument document;

    private MigPartedConfig(String source, MigPartedDocument document) {
        this.source = source;
        this.document = document;
    }

    /**
     * Reads config text; {@code source} names it in messages.
     *
     * @throws InvalidDocumentException naming the field, the value and what is allowed
     */
    public static MigPartedConfig parse(String yaml, String source) {
        Documents.readYaml(yaml, MigPartedDocument.VersionOnly.class, source);
        return new MigPartedConfig(source, complete(Documents.readYaml(yaml, MigPartedDocument.class, source), source));
    }

    /** Reads a config file; a missing or bad file is an {@link InvalidDocumentException}. */
    public static MigPartedConfig read(Path file) {
        Documents.readYaml(file, MigPartedDocument.VersionOnly.class);
        return new MigPartedConfig(file.toString(),
                complete(Documents.readYaml(file, MigPartedDocument.class), file.toString()));
    }

    /** Where {@link #shipped()} reads from; the distribution installs the same file as {@code conf/mig.yaml}. */
    public static final String SHIPPED = "dev/vigil/gpu/mig/mig-configs.yaml";

    /** The configs Vigil ships ({@code all-disabled}, {@code all-1g.10gb}, {@code all-balanced}...). */
    public static MigPartedConfig shipped() {
        try (InputStream in = MigPartedConfig.class.getClassLoader().getResourceAsStream(SHIPPED)) {
            if (in == null) {
                throw new IllegalStateException("the shipped MIG configs are missing from the classpath: " + SHIPPED);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + SHIPPED);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shipped MIG configs " + SHIPPED, e);
        }
    }

    private static MigPartedDocument complete(MigPartedDocument document, String source) {
        try {
            document.requireComplete();
        } catch (InvalidValueException e) {
            throw new InvalidDocumentException(source, e.field(), e.value(), e.allowed(), e.getMessage());
        }
        return document;
    }

    /** The config names, in file order. */
    public List<String> configNames() {
        return List.copyOf(document.migConfigs().keySet());
    }

    /**
     * One plan per GPU of the node (ordered by index) for the config named {@code configName}.
     *
     * @throws MigPlanException with one reason per problem, each naming the config, the entry, the
     *                          GPU and the rule, e.g. {@code mig-configs.custom[1]: GPU 3 (NVIDIA H100 80GB HBM3):
     *                          2×4g.40gb: at most 1 allowed}; or, for an unknown name, the available ones
     */
    public List<MigGpuPlan> plan(String configName, List<NodeGpu> gpus) {
        List<MigPartedEntry> entries = document.migConfigs().get(configName);
        if (entries == null) {
            throw new MigPlanException("cannot plan MIG", List.of("no mig-config named " + configName + " in " + source
                    + " (available: " + String.join(", ", configNames()) + ")"));
        }
        List<NodeGpu> ordered = gpus.stream().sorted(Comparator.comparingInt(NodeGpu::index)).toList();
        Set<Integer> indices = new HashSet<>();
        for (NodeGpu gpu : ordered) {
            if (!indices.add(gpu.index())) {
                throw new IllegalArgumentException("GPU index " + gpu.index() + " appears twice in the node's GPUs");
            }
        }
        String where = "mig-configs." + configName;
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            for (int index : new TreeSet<>(entries.get(i).deviceIndices())) {
                if (!indices.contains(index)) {
                    problems.add(where + "[" + i + "]: devices lists GPU " + index + ", but the node has "
                            + (indices.isEmpty() ? "no GPUs" : "GPUs " + ranges(new TreeSet<>(indices))));
                }
            }
        }
        List<MigGpuPlan> plans = new ArrayList<>();
        for (NodeGpu gpu : ordered) {
            List<Integer> selecting = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                if (entries.get(i).selects(gpu)) {
                    selecting.add(i);
                }
            }
            if (selecting.size() > 1) {
                problems.add(where + ": " + gpu + " is selected by entries "
                        + selecting.stream().map(i -> "[" + i + "]").collect(Collectors.joining(" and "))
                        + "; at most one entry may select a GPU");
            } else if (selecting.isEmpty()) {
                plans.add(new MigGpuPlan(gpu, MigGpuPlan.Action.KEEP_CURRENT, null, List.of()));
            } else {
                int entry = selecting.get(0);
                planOne(gpu, entry, entries.get(entry), where + "[" + entry + "]: " + gpu + ": ", problems)
                        .ifPresent(plans::add);
            }
        }
        if (!problems.isEmpty()) {
            throw new MigPlanException("mig-config " + configName + " from " + source + " cannot be applied", problems);
        }
        return plans;
    }

    private static Optional<MigGpuPlan> planOne(NodeGpu gpu, int entryIndex, MigPartedEntry entry, String prefix,
                                                List<String> problems) {
        if (!entry.migEnabled()) {
            return Optional.of(new MigGpuPlan(gpu, MigGpuPlan.Action.DISABLE_MIG, entryIndex, List.of()));
        }
        Optional<MigGpuModel> found = MigGpuModel.of(gpu);
        if (found.isEmpty()) {
            problems.add(prefix + "no MIG geometry is known for this GPU (known: " + MigGpuModel.supportedModels() + ")");
            return Optional.empty();
        }
        MigGpuModel model = found.get();
        List<String> local = new ArrayList<>();
        Map<MigProfile, List<Integer>> sizes = new LinkedHashMap<>();
        entry.requestedDevices().forEach((key, count) -> {
            MigDeviceKey parsed = MigDeviceKey.parse(key).orElseThrow(); // the entry checked the shape
            Optional<MigProfile> profile = model.profile(parsed.gpuInstanceProfile());
            if (profile.isEmpty()) {
                local.add(model.unknownProfile(parsed.gpuInstanceProfile()));
                return;
            }
            int size = parsed.computeSlices() == null ? profile.get().computeSlices() : parsed.computeSlices();
            if (!ComputeInstancePacking.offered(profile.get()).contains(size)) {
                local.add(key + ": a " + profile.get().name() + " GPU instance offers compute instances of "
                        + ComputeInstancePacking.offeredText(profile.get()));
                return;
            }
            for (int i = 0; i < count; i++) {
                sizes.computeIfAbsent(profile.get(), p -> new ArrayList<>()).add(size);
            }
        });
        List<ComputeInstancePacking> packings = sizes.entrySet().stream()
                .sorted(Comparator.comparingInt(e -> model.profiles().indexOf(e.getKey())))
                .map(e -> new ComputeInstancePacking(e.getKey(), e.getValue())).toList();
        List<MigPlacement> placements = List.of();
        if (local.isEmpty()) {
            Map<String, Integer> counts = new LinkedHashMap<>();
            packings.forEach(packing -> counts.put(packing.profile().name(), packing.gpuInstances().size()));
            try {
                placements = MigPlanner.plan(model, counts);
            } catch (MigPlanException e) {
                String packed = packings.stream().filter(ComputeInstancePacking::splits)
                        .map(ComputeInstancePacking::explain).collect(Collectors.joining(", "));
                e.reasons().forEach(reason -> local.add(packed.isEmpty() ? reason : reason + " (packing " + packed + ")"));
            }
        }
        if (!local.isEmpty()) {
            local.forEach(reason -> problems.add(prefix + reason));
            return Optional.empty();
        }
        return Optional.of(new MigGpuPlan(gpu, MigGpuPlan.Action.ENABLE_MIG, entryIndex, instances(placements, packings)));
    }

    /** Hands each profile's packed GPU instances to that profile's placements, in creation order. */
    private static List<MigGpuPlan.Instance> instances(List<MigPlacement> placements, List<ComputeInstancePacking> packings) {
        Map<String, ComputeInstancePacking> byProfile = new LinkedHashMap<>();
        Map<String, List<List<Integer>>> remaining = new LinkedHashMap<>();
        packings.forEach(packing -> {
            byProfile.put(packing.profile().name(), packing);
            remaining.put(packing.profile().name(), new ArrayList<>(packing.gpuInstances()));
        });
        List<MigGpuPlan.Instance> instances = new ArrayList<>();
        for (MigPlacement placement : placements) {
            ComputeInstancePacking packing = byProfile.get(placement.profile());
            List<Integer> computeSizes = remaining.get(placement.profile()).remove(0);
            instances.add(new MigGpuPlan.Instance(placement,
                    computeSizes.stream().map(packing::computeInstanceName).toList()));
        }
        return instances;
    }

    /** {@code 0-3, 5, 7}. */
    static String ranges(TreeSet<Integer> values) {
        List<String> parts = new ArrayList<>();
        Integer first = null;
        Integer last = null;
        for (int value : values) {
            if (last != null && value == last + 1) {
                last = value;
                continue;
            }
            if (first != null) {
                parts.add(first.equals(last) ? String.valueOf(first) : first + "-" + last);
            }
            first = value;
            last = value;
        }
        if (first != null) {
            parts.add(first.equals(last) ? String.valueOf(first) : first + "-" + last);
        }
        return String.join(", ", parts);
    }
}
