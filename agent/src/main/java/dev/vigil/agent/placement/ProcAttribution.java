package dev.vigil.agent.placement;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Attribution from a /proc tree: {@code cgroup} for the owner, {@code stat} for the start time, {@code status} for
 * the user, {@code comm} for the command, {@code environ} for {@code CUDA_VISIBLE_DEVICES}. The root is
 * configurable so tests can lay out fake trees. Only {@code cgroup} is required: a process whose directory or
 * cgroup file has vanished is gone; the other files are best-effort (environ is unreadable for other users'
 * processes without privileges). The small files are read into one buffer the instance keeps.
 */
public final class ProcAttribution implements Attribution {
    private static final String CUDA_VISIBLE = "CUDA_VISIBLE_DEVICES=";
    /** {@code /proc/PID/stat}: the start time is field 22, the 20th after the command's closing parenthesis. */
    private static final int START_TIME_AFTER_COMMAND = 20;
    /** Room for a cgroup v1 file's dozen hierarchies; longer files are cut, the job is named in the first lines. */
    private static final int BUFFER = 8192;

    private final Path root;
    private final byte[] buffer = new byte[BUFFER];

    public ProcAttribution(Path root) {
        this.root = root;
    }

    @Override
    public synchronized Optional<ProcessIdentity> identify(long pid) {
        Path dir = root.resolve(Long.toString(pid));
        String cgroup;
        try {
            cgroup = read(dir.resolve("cgroup"));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            cgroup = "";
        }
        return Optional.of(new ProcessIdentity(pid, uidOf(dir), commandOf(dir), CgroupOwners.of(cgroup.lines()
                .toList()), cudaVisibleDevicesOf(dir), startTimeOf(dir)));
    }

    /** Whether {@code identity}'s PID still is that process: the same start time (unknown ones never match). */
    @Override
    public synchronized boolean sameProcess(ProcessIdentity identity) {
        return identity.startTime() >= 0 && startTimeOf(root.resolve(Long.toString(identity.pid())))
                == identity.startTime();
    }

    private long startTimeOf(Path dir) {
        String stat = readOrEmpty(dir.resolve("stat"));
        int fields = stat.lastIndexOf(')');
        if (fields < 0) {
            return -1;
        }
        String[] after = stat.substring(fields + 1).trim().split(" ");
        if (after.length < START_TIME_AFTER_COMMAND) {
            return -1;
        }
        try {
            return Long.parseLong(after[START_TIME_AFTER_COMMAND - 1]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private int uidOf(Path dir) {
        for (String line : readOrEmpty(dir.resolve("status")).lines().toList()) {
            if (line.startsWith("Uid:")) {
                String[] fields = line.substring(4).trim().split("\\s+");
                try {
                    return Integer.parseInt(fields[0]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private String commandOf(Path dir) {
        String comm = readOrEmpty(dir.resolve("comm"));
        int end = comm.indexOf('\n');
        return (end < 0 ? comm : comm.substring(0, end)).trim();
    }

    /** Environments can be large: read whole, but only once per process (identities are kept across passes). */
    private static String cudaVisibleDevicesOf(Path dir) {
        byte[] environ;
        try {
            environ = Files.readAllBytes(dir.resolve("environ"));
        } catch (IOException e) {
            return null;
        }
        for (String entry : new String(environ, StandardCharsets.UTF_8).split("\0")) {
            if (entry.startsWith(CUDA_VISIBLE)) {
                return entry.substring(CUDA_VISIBLE.length());
            }
        }
        return null;
    }

    private String readOrEmpty(Path file) {
        try {
            return read(file);
        } catch (IOException e) {
            return "";
        }
    }

    private String read(Path file) throws IOException {
        try (InputStream in = new FileInputStream(file.toFile())) {
            int length = in.readNBytes(buffer, 0, buffer.length);
            return new String(buffer, 0, length, StandardCharsets.UTF_8);
        }
    }
}
