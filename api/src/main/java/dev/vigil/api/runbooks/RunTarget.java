package dev.vigil.api.runbooks;

/**
 * What a run repairs: a node, or one GPU of it.
 *
 * @param node the node's name
 * @param gpu  the GPU's index, or null for the whole node
 */
public record RunTarget(String node, Integer gpu) {
    /** {@code sim-h100-1} or {@code sim-h100-1 gpu 3}. */
    @Override
    public String toString() {
        return gpu == null ? node : node + " gpu " + gpu;
    }
}
