package dev.vigil.gpu.dcgm;

import com.sun.jna.Memory;

/**
 * Every native buffer the backend allocates goes through here, so that a test can see that
 * sampling allocates none: buffers are made at open, on re-watch and on reconnect, then reused.
 */
final class NativeMemory {
    private int allocations;
    private long bytes;

    Memory allocate(long size) {
        allocations++;
        bytes += size;
        Memory memory = new Memory(size);
        memory.clear();
        return memory;
    }

    /** How many buffers were allocated since the backend opened. */
    int allocations() {
        return allocations;
    }

    /** How many bytes they took together. */
    long bytes() {
        return bytes;
    }

    static void free(Memory memory) {
        if (memory != null) {
            memory.close();
        }
    }
}
