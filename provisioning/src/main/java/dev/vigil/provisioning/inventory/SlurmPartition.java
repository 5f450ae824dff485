package dev.vigil.provisioning.inventory;

import dev.vigil.api.cluster.Hostlist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The nodes of a Slurm partition, as {@code sinfo} lists them: one compressed host list per line
 * (a line per node state), {@code gpu-[01-04,07]}, expanded with Slurm's rules and each node once.
 */
public final class SlurmPartition {
    private SlurmPartition() {
    }

    /**
     * The node names of sinfo's {@code %N} lines, in order, each once.
     *
     * @throws IllegalArgumentException when a line is not a host list, or there is no node at all
     */
    public static List<String> nodes(String partition, List<String> sinfoLines) {
        Set<String> nodes = new LinkedHashSet<>();
        for (String line : sinfoLines) {
            nodes.addAll(Hostlist.expand(line.strip(), "sinfo's nodes of partition " + partition));
        }
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("Slurm partition " + partition + " has no nodes");
        }
        return List.copyOf(nodes);
    }

    /**
     * Asks {@code sinfo} ({@code sinfo --noheader --partition P --format %N}) for the partition's nodes.
     *
     * @throws IllegalArgumentException when sinfo refuses (an unknown partition), with what it said
     * @throws IOException              when sinfo cannot be run
     */
    public static List<String> read(String sinfo, String partition) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(sinfo, "--noheader", "--partition", partition, "--format", "%N")
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = process.waitFor();
        if (status != 0) {
            throw new IllegalArgumentException("sinfo --partition " + partition + " exited " + status + ": "
                    + output.strip());
        }
        return nodes(partition, output.lines().toList());
    }
}
