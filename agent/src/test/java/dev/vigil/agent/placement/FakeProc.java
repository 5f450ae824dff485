package dev.vigil.agent.placement;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Lays out a fake /proc tree: one directory per PID with the files {@link ProcAttribution} reads. */
final class FakeProc {
    private final Path root;

    FakeProc(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** A process with a cgroup file, a status with its uid, a comm and an environ (NUL-separated). */
    FakeProc process(long pid, String cgroup, int uid, String command, String... environ) {
        write(pid, "cgroup", cgroup);
        write(pid, "status", "Name:\t" + command + "\nUmask:\t0022\nState:\tR (running)\nUid:\t" + uid + "\t" + uid
                + "\t" + uid + "\t" + uid + "\nGid:\t100\t100\t100\t100\n");
        write(pid, "comm", command + "\n");
        write(pid, "environ", String.join("\0", environ) + (environ.length == 0 ? "" : "\0"));
        return this;
    }

    /** The process's {@code stat}, its start time (clock ticks after boot) in field 22. */
    FakeProc started(long pid, String command, long startTime) {
        return write(pid, "stat", pid + " (" + command + ") S 1 " + pid + " " + pid + " 0 -1 4194560 120 0 0 0 3 1 0 0"
                + " 20 0 1 0 " + startTime + " 10485760 300 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 3 0 0\n");
    }

    FakeProc write(long pid, String file, String content) {
        try {
            Path dir = Files.createDirectories(root.resolve(Long.toString(pid)));
            Files.writeString(dir.resolve(file), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
