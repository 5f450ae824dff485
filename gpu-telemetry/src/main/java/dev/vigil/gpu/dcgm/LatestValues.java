package dev.vigil.gpu.dcgm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.vigil.gpu.backend.EntitySample;
import dev.vigil.gpu.backend.FieldStatus;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldSet;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.vigil.gpu.dcgm.DcgmStructs.PAIR_SIZE;
import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V2_ENTITY_GROUP;
import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V2_ENTITY_ID;
import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V2_FIELD_ID;
import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V2_FIELD_TYPE;
import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V2_SIZE;
import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V2_STATUS;
import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V2_VALUE;

/**
 * Reads the latest value of every sampled field of every GPU and MIG GPU instance with
 * {@code dcgmEntitiesGetLatestValues} into one native buffer allocated here, once per field set
 * and session. GPUs get every field; GPU instances only the fields a MIG instance has its own
 * value of (two calls into the two halves of the buffer, so a MIG-heavy node does not pay
 * 4 KB per value DCGM would only answer NOT_SUPPORTED for).
 *
 * <p>Values are decoded from a {@link ByteBuffer} view of the buffer made once (plain loads, no
 * JNI transition per value), and placed by the entity and field id each value carries: DCGM
 * does not keep the request order.
 */
final class LatestValues implements AutoCloseable {
    private final EntityTable entities;
    private final FieldSet fields;
    private final int slots;
    private final int[] slotById;
    private final int[] instanceSlots;
    private final int gpuCount;
    private final int instanceCount;
    private final short[] gpuFieldIds;
    private final short[] instanceFieldIds;
    private final Memory pairs;
    private final Memory gpuFields;
    private final Memory instanceFields;
    private final Memory values;
    private final Pointer instancePairs;
    private final Pointer instanceValues;
    private final ByteBuffer view;
    private final int totalValues;
    private final boolean[] lost;
    private final List<Integer> lostGpus = new ArrayList<>();

    LatestValues(FieldSet fields, EntityTable entities, NativeMemory memory) {
        this.entities = entities;
        this.fields = fields;
        this.slots = fields.size();
        this.gpuFieldIds = fieldIds(fields);
        int maxId = 0;
        for (short id : gpuFieldIds) {
            maxId = Math.max(maxId, id & 0xffff);
        }
        this.slotById = new int[maxId + 1];
        Arrays.fill(slotById, -1);
        List<Integer> perInstance = new ArrayList<>();
        for (int slot = 0; slot < slots; slot++) {
            Field field = fields.field(slot);
            slotById[field.id()] = slot;
            if (field.perMigInstance()) {
                perInstance.add(slot);
            }
        }
        this.instanceSlots = perInstance.stream().mapToInt(Integer::intValue).toArray();
        this.instanceFieldIds = new short[instanceSlots.length];
        for (int i = 0; i < instanceSlots.length; i++) {
            instanceFieldIds[i] = (short) fields.field(instanceSlots[i]).id();
        }
        this.gpuCount = entities.gpus().size();
        this.instanceCount = instanceFieldIds.length == 0 ? 0 : entities.gpuInstances().size();
        int gpuValues = gpuFieldIds.length == 0 ? 0 : gpuCount * gpuFieldIds.length;
        this.totalValues = gpuValues + instanceCount * instanceFieldIds.length;
        this.lost = new boolean[entities.sampledCount()];
        if (totalValues == 0) {
            pairs = gpuFields = instanceFields = values = null;
            instancePairs = instanceValues = null;
            view = null;
            return;
        }
        pairs = memory.allocate((long) (gpuCount + instanceCount) * PAIR_SIZE);
        int at = 0;
        for (EntityTable.Gpu gpu : entities.gpus()) {
            pairs.setInt((long) at * PAIR_SIZE, EntityTable.FE_GPU);
            pairs.setInt((long) at++ * PAIR_SIZE + 4, gpu.dcgmId());
        }
        for (int i = 0; i < instanceCount; i++) {
            EntityTable.Mig gi = entities.gpuInstances().get(i);
            pairs.setInt((long) at * PAIR_SIZE, gi.entityGroup());
            pairs.setInt((long) at++ * PAIR_SIZE + 4, gi.entityId());
        }
        gpuFields = shorts(memory, gpuFieldIds);
        instanceFields = instanceFieldIds.length == 0 ? null : shorts(memory, instanceFieldIds);
        values = memory.allocate((long) totalValues * VALUE_V2_SIZE);
        instancePairs = pairs.share((long) gpuCount * PAIR_SIZE);
        instanceValues = values.share((long) gpuValues * VALUE_V2_SIZE);
        view = values.getByteBuffer(0, values.size()).order(ByteOrder.nativeOrder());
    }

    /** The field ids of {@code fields} in slot order. */
    static short[] fieldIds(FieldSet fields) {
        short[] ids = new short[fields.size()];
        for (int slot = 0; slot < ids.length; slot++) {
            ids[slot] = (short) fields.field(slot).id();
        }
        return ids;
    }

    FieldSet fields() {
        return fields;
    }

    /** GPUs in index order, then MIG GPU instances; a GPU DCGM calls lost is {@link EntitySample#lost}. */
    List<EntitySample> read(Session session) throws DcgmCallException {
        if (totalValues > 0) {
            DcgmLibrary lib = session.lib();
            if (gpuCount > 0 && gpuFieldIds.length > 0) {
                session.check("dcgmEntitiesGetLatestValues", lib.dcgmEntitiesGetLatestValues(session.handle(), pairs,
                        gpuCount, gpuFields, gpuFieldIds.length, 0, values));
            }
            if (instanceCount > 0) {
                session.check("dcgmEntitiesGetLatestValues", lib.dcgmEntitiesGetLatestValues(session.handle(),
                        instancePairs, instanceCount, instanceFields, instanceFieldIds.length, 0, instanceValues));
            }
        }
        EntitySample[] samples = emptySamples();
        Arrays.fill(lost, false);
        for (int i = 0; i < totalValues; i++) {
            decode(i * VALUE_V2_SIZE, samples);
        }
        return markLost(samples);
    }

    /** The GPU indices the last read found lost (fallen off the bus). */
    List<Integer> lostGpus() {
        return lostGpus;
    }

    private EntitySample[] emptySamples() {
        EntitySample[] samples = new EntitySample[entities.sampledCount()];
        int at = 0;
        for (EntityTable.Gpu gpu : entities.gpus()) {
            EntitySample sample = new EntitySample(gpu.index(), null, slots);
            if (gpuFieldIds.length > 0) {
                for (int slot = 0; slot < slots; slot++) {
                    sample.mark(slot, FieldStatus.NO_DATA); // until DCGM says otherwise
                }
            }
            samples[at++] = sample;
        }
        for (EntityTable.Mig gi : entities.gpuInstances()) {
            EntitySample sample = new EntitySample(gi.gpu(), gi.gpuInstanceId(), slots);
            for (int slot : instanceSlots) {
                sample.mark(slot, FieldStatus.NO_DATA); // the other fields stay NOT_SUPPORTED
            }
            samples[at++] = sample;
        }
        return samples;
    }

    private void decode(int base, EntitySample[] samples) {
        int position = entities.samplePosition(view.getInt(base + VALUE_V2_ENTITY_GROUP),
                view.getInt(base + VALUE_V2_ENTITY_ID));
        int fieldId = view.getShort(base + VALUE_V2_FIELD_ID) & 0xffff;
        if (position < 0 || fieldId >= slotById.length || slotById[fieldId] < 0) {
            return; // not something we asked for
        }
        int slot = slotById[fieldId];
        EntitySample sample = samples[position];
        int status = view.getInt(base + VALUE_V2_STATUS);
        if (status != DcgmCodes.OK) {
            if (status == DcgmCodes.GPU_IS_LOST) {
                lost[position] = true;
            }
            sample.mark(slot, DcgmCodes.valueStatus(status));
            return;
        }
        int type = view.getShort(base + VALUE_V2_FIELD_TYPE) & 0xffff;
        if (type == 'd') {
            double value = view.getDouble(base + VALUE_V2_VALUE);
            if (value >= DcgmCodes.FP64_BLANK) {
                sample.mark(slot, DcgmCodes.blankStatus((long) (value - DcgmCodes.FP64_BLANK)));
            } else {
                sample.set(slot, value);
            }
        } else if (type == 'i' || type == 't') {
            long value = view.getLong(base + VALUE_V2_VALUE);
            if (value >= DcgmCodes.INT64_BLANK) {
                sample.mark(slot, DcgmCodes.blankStatus(value - DcgmCodes.INT64_BLANK));
            } else {
                sample.set(slot, value);
            }
        } else {
            sample.mark(slot, FieldStatus.NOT_SUPPORTED); // a string or blob is not a metric
        }
    }

    /** A GPU with any value GPU_IS_LOST (its own or an instance's) is lost as a whole, instances included. */
    private List<EntitySample> markLost(EntitySample[] samples) {
        lostGpus.clear();
        for (int position = 0; position < samples.length; position++) {
            if (lost[position] && !lostGpus.contains(samples[position].gpu())) {
                lostGpus.add(samples[position].gpu());
            }
        }
        if (!lostGpus.isEmpty()) {
            for (int position = 0; position < samples.length; position++) {
                EntitySample sample = samples[position];
                if (!lostGpus.contains(sample.gpu())) {
                    continue;
                }
                if (!sample.isMigInstance()) {
                    samples[position] = EntitySample.lost(sample.gpu(), slots);
                } else {
                    for (int slot = 0; slot < slots; slot++) {
                        sample.mark(slot, FieldStatus.GPU_LOST);
                    }
                }
            }
        }
        return Arrays.asList(samples);
    }

    private static Memory shorts(NativeMemory memory, short[] values) {
        Memory buffer = memory.allocate(2L * values.length);
        buffer.write(0, values, 0, values.length);
        return buffer;
    }

    @Override
    public void close() {
        NativeMemory.free(pairs);
        NativeMemory.free(gpuFields);
        NativeMemory.free(instanceFields);
        NativeMemory.free(values);
    }
}
