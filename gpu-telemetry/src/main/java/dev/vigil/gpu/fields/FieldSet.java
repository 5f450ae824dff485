package dev.vigil.gpu.fields;

import java.util.Arrays;
import java.util.List;

/**
 * The numeric fields an agent samples, each with a slot so that a sample is a plain
 * {@code double[]} indexed by slot: no maps or boxing on the sampling path. Label fields (the
 * driver version) are not sampled; they come with the inventory.
 */
public final class FieldSet {
    private final List<Field> fields;
    private final int[] slotById;

    public FieldSet(List<Field> requested) {
        this.fields = requested.stream().filter(f -> f.type() != MetricType.LABEL).distinct().toList();
        int maxId = fields.stream().mapToInt(Field::id).max().orElse(0);
        this.slotById = new int[maxId + 1];
        Arrays.fill(slotById, -1);
        for (int slot = 0; slot < fields.size(); slot++) {
            slotById[fields.get(slot).id()] = slot;
        }
    }

    public int size() {
        return fields.size();
    }

    public Field field(int slot) {
        return fields.get(slot);
    }

    public List<Field> fields() {
        return fields;
    }

    /** The slot of {@code field}, or -1 when this set does not sample it. */
    public int slot(Field field) {
        int id = field.id();
        return id < slotById.length ? slotById[id] : -1;
    }

    public boolean contains(Field field) {
        return slot(field) >= 0;
    }
}
