package dev.vigil.api.placement;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.binding.TextFields;

import java.time.Instant;

/**
 * A process on a GPU, who it belongs to and the agent's verdict: in every agent report and on the agent's
 * {@code /v1/node}.
 *
 * @param gpu         the GPU's index
 * @param gpuInstance the MIG GPU instance it runs in, or null when MIG is off
 * @param pid         the host PID
 * @param user        its uid, or {@code unknown}
 * @param command     its command name
 * @param owner       what it belongs to: {@code slurm:1234}, {@code pod:<uid>}, {@code unit:<name>},
 *                    {@code job:<id>} or {@code unknown}
 * @param job         the Vigil job it belongs to on this node, or null when it belongs to none here
 * @param verdict     allowed, overreach, rogue, system or unjudged
 * @param enforcement what the agent did about it: null unless the verdict is a violation
 * @param since       when the agent first saw it violating: null unless the verdict is a violation
 */
public record JudgedProcess(int gpu, Integer gpuInstance, long pid, String user, String command, String owner,
                            String job, PlacementVerdict verdict, Enforcement enforcement, Instant since) {
    public JudgedProcess {
        InvalidValueException.require(gpu >= 0, "gpu", gpu, "a GPU index, 0 or more");
        InvalidValueException.require(pid > 0, "pid", pid, "a process id, 1 or more");
        InvalidValueException.required(verdict, "verdict", "allowed, overreach, rogue, system or unjudged");
        TextFields.line(user, "user", 64);
        TextFields.line(command, "command", 256);
        TextFields.line(owner, "owner", 256);
        TextFields.line(job, "job", 256);
    }

    /** Whether the agent judged it a violation (overreach or rogue). */
    public boolean violating() {
        return verdict.violation();
    }
}
