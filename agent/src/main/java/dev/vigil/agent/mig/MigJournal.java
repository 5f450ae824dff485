package dev.vigil.agent.mig;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.mig.GpuMigTarget;
import dev.vigil.api.mig.MigPhase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The MIG targets the agent holds, with their phases, and the GPU it is in the middle of changing,
 * on disk: what the agent after a crash or a reboot starts from, before the controller answers. Each
 * write replaces the file whole (a temporary file moved over it), so a crash leaves the old journal
 * or the new one, never half of one.
 */
final class MigJournal {
    static final String FILE = "mig.json";

    /** One target and where it stood. */
    record Entry(GpuMigTarget target, MigPhase phase, String message) {
    }

    /**
     * @param held     every target held
     * @param applying the GPU being changed when this was written, or null
     */
    record Contents(List<Entry> held, Integer applying) {
        static final Contents EMPTY = new Contents(List.of(), null);

        Contents {
            held = held == null ? List.of() : List.copyOf(held);
        }
    }

    private final Path file;

    private MigJournal(Path file) {
        this.file = file;
    }

    /** A journal in {@code dir}, made when first written. */
    static MigJournal in(Path dir) {
        return new MigJournal(dir.resolve(FILE));
    }

    /** No journal: for GPUs that do not outlive the agent (simulated ones). */
    static MigJournal none() {
        return new MigJournal(null);
    }

    /** Where it is, or null. */
    Path file() {
        return file;
    }

    /** What the last write left; empty when there is none. */
    Contents read() throws IOException {
        if (file == null) {
            return Contents.EMPTY;
        }
        try {
            return Documents.json().readValue(Files.readAllBytes(file), Contents.class);
        } catch (NoSuchFileException e) {
            return Contents.EMPTY;
        }
    }

    void write(Contents contents) throws IOException {
        if (file == null) {
            return;
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        Files.write(tmp, Documents.json().writeValueAsBytes(contents));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
