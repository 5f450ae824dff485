package dev.vigil.provisioning.ssh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The known_hosts file that {@code vigil provision} manages: OpenSSH's format
 * ({@code address type base64}, {@code [address]:port} for a port other than 22), so that
 * {@code ssh -o UserKnownHostsFile=FILE} trusts the same keys. Keys are only ever added, by a
 * first contact the operator allowed; a changed key is never overwritten (remove its line by hand
 * once the change is explained). Hashed and {@code @marker} lines are kept and ignored. Safe for
 * the parallel connections of one command.
 */
public final class KnownHosts {
    private final Path file;

    public KnownHosts(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The keys pinned for a host, in file order. */
    synchronized List<HostKey> keys(String address, int port) {
        String name = entryName(address, port);
        List<HostKey> keys = new ArrayList<>();
        for (String line : lines()) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length < 3 || fields[0].startsWith("#") || fields[0].startsWith("@") || fields[0].startsWith("|")) {
                continue;
            }
            for (String pattern : fields[0].split(",")) {
                HostKey key = pattern.equals(name) ? HostKey.parse(fields[1], fields[2]) : null;
                if (key != null) {
                    keys.add(key);
                }
            }
        }
        return keys;
    }

    /** Pins a key for a host (the file and its folder are created, the file mode 0600). */
    synchronized void add(String address, int port, HostKey key) {
        try {
            if (!Files.exists(file)) {
                Path parent = file.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            String line = entryName(address, port) + " " + key.type() + " " + key.base64() + "\n";
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private List<String> lines() {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static String entryName(String address, int port) {
        return port == 22 ? address : "[" + address + "]:" + port;
    }
}
