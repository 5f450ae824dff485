package dev.vigil.controller.mig;

import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.api.mig.MigConfigSummary;
import dev.vigil.controller.config.MigSettings;
import dev.vigil.gpu.mig.MigGpuModel;
import dev.vigil.gpu.mig.MigGpuPlan;
import dev.vigil.gpu.mig.MigPartedConfig;
import dev.vigil.gpu.mig.MigPlacement;
import dev.vigil.gpu.mig.MigPlanException;
import dev.vigil.gpu.mig.NodeGpu;
import dev.vigil.scheduler.mig.Layout;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The named MIG configs operators choose from (a mig-parted {@code v1} file), planned against a
 * node's GPUs by the existing geometry and validator.
 */
public final class MigConfigs {
    /** An HGX board's GPUs: what a config is planned on to say what it makes of a model. */
    private static final int LISTED_GPUS = 8;

    private final MigPartedConfig file;

    MigConfigs(MigPartedConfig file) {
        this.file = file;
    }

    /**
     * The configs the settings name, or the ones Vigil ships.
     *
     * @throws dev.vigil.api.binding.InvalidDocumentException for a missing or bad file: the controller does not start
     */
    public static MigConfigs load(MigSettings settings) {
        return new MigConfigs(settings.configs() == null ? MigPartedConfig.shipped() : MigPartedConfig.read(settings.configs()));
    }

    public List<String> names() {
        return file.configNames();
    }

    /** What each config makes of each model it has an entry for: {@code GET /v1/mig/configs}. */
    public List<MigConfigSummary> summaries() {
        List<MigConfigSummary> summaries = new ArrayList<>();
        for (String name : names()) {
            List<MigConfigSummary.ModelLayout> layouts = new ArrayList<>();
            for (MigGpuModel model : MigGpuModel.values()) {
                List<NodeGpu> gpus = new ArrayList<>();
                for (int i = 0; i < LISTED_GPUS; i++) {
                    gpus.add(model.representative(i));
                }
                try {
                    file.plan(name, gpus).stream().filter(p -> p.action() != MigGpuPlan.Action.KEEP_CURRENT)
                            .map(MigConfigs::describe).distinct()
                            .forEach(layout -> layouts.add(new MigConfigSummary.ModelLayout(model.displayName(), layout)));
                } catch (MigPlanException e) {
                    // The config's entries for this model do not fit it: it is not offered for it.
                }
            }
            summaries.add(new MigConfigSummary(name, layouts));
        }
        return summaries;
    }

    /**
     * One plan per GPU of the node for config {@code name}, by GPU index.
     *
     * @throws MigPlanException naming the config, the GPU, the profile and the rule, or the known names
     */
    Map<Integer, MigGpuPlan> plan(String name, List<GpuDevice> gpus) {
        List<NodeGpu> nodeGpus = gpus.stream()
                .map(g -> new NodeGpu(g.index(), g.model(), g.pciDeviceId() == null ? "" : g.pciDeviceId())).toList();
        Map<Integer, MigGpuPlan> plans = new LinkedHashMap<>();
        file.plan(name, nodeGpus).forEach(plan -> plans.put(plan.gpu().index(), plan));
        return plans;
    }

    /**
     * What each config makes of each GPU model among {@code gpus}, by product name: the layouts the advisor
     * may choose from. A config that fits a model not is left out for it.
     */
    Map<String, List<Layout>> layouts(Collection<GpuDevice> gpus) {
        Map<String, List<Layout>> byModel = new LinkedHashMap<>();
        for (GpuDevice gpu : gpus) {
            if (byModel.containsKey(gpu.model())) {
                continue;
            }
            List<Layout> layouts = new ArrayList<>();
            NodeGpu one = new NodeGpu(0, gpu.model(), gpu.pciDeviceId() == null ? "" : gpu.pciDeviceId());
            for (String name : names()) {
                try {
                    MigGpuPlan plan = file.plan(name, List.of(one)).get(0);
                    if (plan.action() != MigGpuPlan.Action.KEEP_CURRENT) {
                        layouts.add(new Layout(name, plan.placements().stream().map(MigPlacement::profile).toList()));
                    }
                } catch (MigPlanException e) {
                    // Not a layout this model can take.
                }
            }
            byModel.put(gpu.model(), layouts);
        }
        return byModel;
    }

    /** {@code MIG off}, {@code MIG on: 7×1g.10gb} or {@code MIG on: 2×1g.10gb, 1×3g.40gb}. */
    static String describe(MigGpuPlan plan) {
        return plan.migEnabled() ? "MIG on: " + counts(plan.placements().stream().map(MigPlacement::profile).toList())
                : "MIG off";
    }

    /** A GPU's layout now, in the same words. */
    static String describe(MigStatus mig) {
        if (mig == null || !mig.capable()) {
            return "no MIG";
        }
        return mig.enabled() ? "MIG on: " + counts(mig.instances().stream().map(MigInstance::profile).toList())
                : "MIG off";
    }

    private static String counts(List<String> profiles) {
        if (profiles.isEmpty()) {
            return "no instances";
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        profiles.forEach(p -> counts.merge(p, 1, Integer::sum));
        return counts.entrySet().stream().map(e -> e.getValue() + "×" + e.getKey()).collect(Collectors.joining(", "));
    }
}
