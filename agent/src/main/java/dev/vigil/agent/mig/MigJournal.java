package dev.vigil.agent.mig;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.mig.GpuMigTarget;
import dev.vigil.api.mig.MigPhase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * or the new one, never half of one. A journal that cannot be read or written is logged and does not
 * stop the agent: the controller's next answer brings the targets back.
 */
final class MigJournal {
    private static final Logger LOG = LoggerFactory.getLogger(MigReconciler.class);
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

    private final String node;
    private final Path file;
    // Owned by the MIG thread.
    private Contents written;
    private String writeError;

    private MigJournal(String node, Path file) {
        this.node = node;
        this.file = file;
    }

    /** A journal in {@code dir}, made when first written. */
    static MigJournal in(String node, Path dir) {
        return new MigJournal(node, dir.resolve(FILE));
    }

    /** No journal: for GPUs that do not outlive the agent (simulated ones). */
    static MigJournal none(String node) {
        return new MigJournal(node, null);
    }

    /** What the last write left: empty when there is none or it cannot be read (logged). */
    Contents load() {
        try {
            return read();
        } catch (IOException | RuntimeException e) {
            LOG.atWarn().addKeyValue("node", node).addKeyValue("file", file).addKeyValue("error", e.getMessage())
                    .log("mig_journal_unreadable");
            return Contents.EMPTY;
        }
    }

    /** Writes {@code contents} unless the journal holds them already; a failure is logged once and changes nothing. */
    void save(Contents contents) {
        if (contents.equals(written)) {
            return;
        }
        try {
            write(contents);
            written = contents;
            writeError = null;
        } catch (IOException | RuntimeException e) {
            String error = String.valueOf(e.getMessage());
            if (!error.equals(writeError)) {
                LOG.atWarn().addKeyValue("node", node).addKeyValue("file", file).addKeyValue("error", error)
                        .log("mig_journal_unwritable");
                writeError = error;
            }
        }
    }

    private Contents read() throws IOException {
        if (file == null) {
            return Contents.EMPTY;
        }
        try {
            return Documents.json().readValue(Files.readAllBytes(file), Contents.class);
        } catch (NoSuchFileException e) {
            return Contents.EMPTY;
        }
    }

    private void write(Contents contents) throws IOException {
        if (file == null) {
            return;
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        Files.write(tmp, Documents.json().writeValueAsBytes(contents));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
