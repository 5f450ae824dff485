package dev.vigil.agent.repair;

import dev.vigil.agent.sampling.Snapshot;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.gpu.backend.EntitySample;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.fields.FieldSet;

import java.util.ArrayList;
import java.util.List;

/**
 * The health checks every backend answers from the agent's own sample (NVML's and DCGM's fields
 * alike): the GPU answers, no row remap is pending or failed, no page waits for retirement, and
 * every NVLink link the node's GPUs of that model have is up.
 */
final class SampleChecks {
    private final FieldSet fields;
    /** The inventory at the agent's start: a link down since then still counts as missing. */
    private final NodeInventory atStart;

    SampleChecks(FieldSet fields, NodeInventory atStart) {
        this.fields = fields;
        this.atStart = atStart;
    }

    /** The checks of {@code gpus} in {@code snapshot}, in GPU order. */
    List<Check> check(Snapshot snapshot, List<Integer> gpus) {
        List<Check> checks = new ArrayList<>();
        for (int gpu : gpus) {
            String name = "gpu " + gpu + " ";
            EntitySample sample = snapshot.sample() == null ? null : snapshot.sample().gpu(gpu);
            if (sample == null || sample.lost()) {
                checks.add(new Check(name + "responds", false, sample == null ? "no sample of it"
                        : "it does not answer (fallen off the bus)"));
                continue;
            }
            checks.add(new Check(name + "responds", true, ""));
            rowRemap(sample, name, checks);
            if (has(sample, FieldCatalog.RETIRED_PENDING)) {
                long pending = (long) value(sample, FieldCatalog.RETIRED_PENDING);
                checks.add(new Check(name + "retired-pages", pending == 0, pending == 0 ? "none pending"
                        : pending + " page(s) wait to be retired at the next GPU reset"));
            }
            nvlink(snapshot.inventory(), gpu, name, checks);
        }
        return checks;
    }

    private void rowRemap(EntitySample sample, String name, List<Check> checks) {
        boolean failure = has(sample, FieldCatalog.ROW_REMAP_FAILURE);
        boolean pending = has(sample, FieldCatalog.ROW_REMAP_PENDING);
        if (!failure && !pending) {
            // A GPU without row remapping retires pages instead.
            return;
        }
        if (failure && value(sample, FieldCatalog.ROW_REMAP_FAILURE) >= 1) {
            checks.add(new Check(name + "row-remap", false, "row remapping failed: the GPU needs an RMA"));
        } else if (pending && value(sample, FieldCatalog.ROW_REMAP_PENDING) >= 1) {
            checks.add(new Check(name + "row-remap", false, "a row remap waits for a GPU reset"));
        } else {
            checks.add(new Check(name + "row-remap", true, "none pending or failed"));
        }
    }

    private void nvlink(NodeInventory now, int gpu, String name, List<Check> checks) {
        GpuDevice device = device(now, gpu);
        if (device == null) {
            return;
        }
        int expected = Math.max(mostLinks(now, device.model()), mostLinks(atStart, device.model()));
        if (expected == 0) {
            return;
        }
        checks.add(new Check(name + "nvlink", device.nvlinkLinks() >= expected,
                device.nvlinkLinks() + " of " + expected + " links up"));
    }

    /** The most NVLink links any GPU of {@code model} has in {@code inventory}: what each of them should have. */
    private static int mostLinks(NodeInventory inventory, String model) {
        return inventory.gpus().stream().filter(g -> g.model().equals(model)).mapToInt(GpuDevice::nvlinkLinks)
                .max().orElse(0);
    }

    private static GpuDevice device(NodeInventory inventory, int gpu) {
        return inventory.gpus().stream().filter(d -> d.index() == gpu).findFirst().orElse(null);
    }

    private boolean has(EntitySample sample, Field field) {
        int slot = fields.slot(field);
        return slot >= 0 && sample.has(slot);
    }

    private double value(EntitySample sample, Field field) {
        return sample.value(fields.slot(field));
    }
}
