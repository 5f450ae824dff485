package dev.vigil.agent.repair;

import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.api.cluster.AgentActionResult.State;
import dev.vigil.api.gpu.GpuProcess;

import java.util.List;

/**
 * How a repair ended, or that it is still under way (a reboot that ends with the process).
 *
 * @param state   succeeded, failed, or running
 * @param message one line
 * @param output  what the tools printed or the checks found, or null
 */
public record Outcome(State state, String message, String output) {
    private static final int MAX_MESSAGE = 1024;
    private static final String TRUNCATED = "\n... (truncated)";

    public Outcome {
        message = oneLine(message);
        output = bounded(output);
    }

    public static Outcome succeeded(String message, String output) {
        return new Outcome(State.SUCCEEDED, message, output);
    }

    public static Outcome failed(String message, String output) {
        return new Outcome(State.FAILED, message, output);
    }

    /** A reset refused because processes hold the GPU, naming them. */
    static Outcome gpuInUse(int gpu, List<GpuProcess> processes) {
        return failed("gpu-reset of gpu " + gpu + " refused: " + processes.size() + " process(es) hold it (pids "
                + String.join(", ", processes.stream().map(p -> String.valueOf(p.pid())).toList())
                + "); stop them or drain the GPU first", null);
    }

    private static String oneLine(String text) {
        String line = text == null ? "" : text.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
        return line.length() <= MAX_MESSAGE ? line : line.substring(0, MAX_MESSAGE - 3) + "...";
    }

    private static String bounded(String text) {
        if (text == null || text.length() <= AgentActionResult.MAX_OUTPUT) {
            return text;
        }
        return text.substring(0, AgentActionResult.MAX_OUTPUT - TRUNCATED.length()) + TRUNCATED;
    }
}
