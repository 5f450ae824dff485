package dev.vigil.agent.repair;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The reboot the agent asked of the host, kept in its state dir across the reboot: the agent
 * that starts after it finds the action's id and the boot it was asked in, and so knows whether
 * the node rebooted, and never reboots it a second time for the same id.
 */
final class RebootRecord {
    static final String FILE = "reboot-action";

    /**
     * A recorded reboot.
     *
     * @param id   the action's id
     * @param boot the boot id when it was asked
     */
    record Entry(String id, String boot) {
    }

    private final Path file;

    RebootRecord(Path stateDir) {
        this.file = stateDir.resolve(FILE);
    }

    /** Writes the record (atomically) before the reboot is asked for. */
    void write(Entry entry) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        Files.writeString(tmp, "id=" + entry.id() + "\nboot=" + entry.boot() + "\nstate=rebooting\n",
                StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    Optional<Entry> read() throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Map<String, String> values = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        String id = values.get("id");
        if (id == null || id.isEmpty()) {
            throw new IOException(file + " names no action id");
        }
        return Optional.of(new Entry(id, values.getOrDefault("boot", "")));
    }

    void clear() throws IOException {
        Files.deleteIfExists(file);
    }

    Path file() {
        return file;
    }
}
