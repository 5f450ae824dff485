package dev.vigil.agent.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.GpuSummary;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.gpu.backend.EntitySample;
import dev.vigil.gpu.backend.NodeSample;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.fields.FieldSet;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The parts of a report taken from a snapshot: the inventory's hash, each GPU's vital signs, health keys. */
final class ReportBuilder {
    /** The fields a {@link GpuSummary} is made of; the agent samples them whenever it reports. */
    static final List<Field> SUMMARY_FIELDS = List.of(FieldCatalog.GPU_UTIL, FieldCatalog.GPU_TEMP,
            FieldCatalog.POWER_USAGE, FieldCatalog.FB_USED);

    private final int utilization;
    private final int temperature;
    private final int power;
    private final int memoryUsed;
    private NodeInventory hashed;
    private String hash;

    ReportBuilder(FieldSet fields) {
        this.utilization = fields.slot(FieldCatalog.GPU_UTIL);
        this.temperature = fields.slot(FieldCatalog.GPU_TEMP);
        this.power = fields.slot(FieldCatalog.POWER_USAGE);
        this.memoryUsed = fields.slot(FieldCatalog.FB_USED);
    }

    /** SHA-256 (hex) of the inventory's JSON; computed again only when the inventory is another object. */
    String inventoryHash(NodeInventory inventory) {
        if (inventory != hashed) {
            hash = hash(inventory);
            hashed = inventory;
        }
        return hash;
    }

    static String hash(NodeInventory inventory) {
        try {
            byte[] json = Documents.json().writeValueAsBytes(inventory);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash the inventory", e);
        }
    }

    /** Each whole GPU's utilization, temperature, power and memory used; null where the sample has none. */
    List<GpuSummary> summaries(NodeSample sample) {
        if (sample == null) {
            return List.of();
        }
        List<GpuSummary> summaries = new ArrayList<>();
        for (EntitySample entity : sample.entities()) {
            if (entity.isMigInstance()) {
                continue;
            }
            summaries.add(new GpuSummary(entity.gpu(), value(entity, utilization), value(entity, temperature),
                    value(entity, power), value(entity, memoryUsed)));
        }
        return summaries;
    }

    private static Double value(EntitySample entity, int slot) {
        return entity.has(slot) ? entity.value(slot) : null;
    }

    /**
     * Whether two health lists differ in what the controller acts on: a GPU's state or repair
     * action (its health reflex cordons on a GPU turning failed, node-wide for some actions).
     * Allocates nothing: it runs on the sampling thread after every sample.
     */
    static boolean healthDiffers(List<GpuHealth> now, List<GpuHealth> reported) {
        if (now.size() != reported.size()) {
            return true;
        }
        for (int i = 0; i < now.size(); i++) {
            GpuHealth a = now.get(i);
            GpuHealth b = reported.get(i);
            if (a.gpu() != b.gpu() || a.state() != b.state() || a.action() != b.action()) {
                return true;
            }
        }
        return false;
    }
}
