package dev.vigil.agent.placement;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Attribution from a /proc tree: {@code cgroup} for the owner, {@code status} for the user, {@code comm} for the
 * command, {@code environ} for {@code CUDA_VISIBLE_DEVICES}. The root is configurable so tests can lay out fake
 * trees. Only {@code cgroup} is required: a process whose directory or cgroup file has vanished is gone; the other
 * files are best-effort (environ is unreadable for other users' processes without privileges).
 */
public final class ProcAttribution implements Attribution {
    private static final String CUDA_VISIBLE = "CUDA_VISIBLE_DEVICES=";

    private final Path root;

    public ProcAttribution(Path root) {
        this.root = root;
    }

    @Override
    public Optional<ProcessIdentity> identify(long pid) {
        Path dir = root.resolve(Long.toString(pid));
        List<String> cgroup;
        try {
            cgroup = Files.readAllLines(dir.resolve("cgroup"), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            cgroup = List.of();
        }
        return Optional.of(new ProcessIdentity(pid, uidOf(dir), commandOf(dir), CgroupOwners.of(cgroup),
                cudaVisibleDevicesOf(dir)));
    }

    private static int uidOf(Path dir) {
        for (String line : readLines(dir.resolve("status"))) {
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

    private static String commandOf(Path dir) {
        List<String> lines = readLines(dir.resolve("comm"));
        return lines.isEmpty() ? "" : lines.get(0).trim();
    }

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

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }
}
