package dev.vigil.api.placement;

import java.time.Instant;

/**
 * A process on a GPU its job was not given, fleet-wide: {@code GET /v1/violations}.
 *
 * @param node        the node
 * @param gpu         the GPU's index there
 * @param uuid        the GPU's UUID, or null when the node's inventory does not list it
 * @param gpuInstance the MIG GPU instance it runs in, or null
 * @param pid         the host PID
 * @param user        its uid
 * @param command     its command name
 * @param owner       what it belongs to ({@code slurm:1234}, {@code pod:<uid>}, {@code unit:<name>}, {@code unknown})
 * @param job         the Vigil job it belongs to on that node, or null
 * @param verdict     overreach or rogue
 * @param enforcement what the node pool's policy did about it
 * @param since       when its agent first saw it violating
 */
public record PlacementViolation(String node, int gpu, String uuid, Integer gpuInstance, long pid, String user,
                                 String command, String owner, String job, PlacementVerdict verdict,
                                 Enforcement enforcement, Instant since) {
    public static PlacementViolation of(String node, String uuid, JudgedProcess process) {
        return new PlacementViolation(node, process.gpu(), uuid, process.gpuInstance(), process.pid(), process.user(),
                process.command(), process.owner(), process.job(), process.verdict(), process.enforcement(),
                process.since());
    }
}
