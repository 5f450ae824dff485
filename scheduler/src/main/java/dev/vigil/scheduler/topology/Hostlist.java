package dev.vigil.scheduler.topology;

import java.util.List;

/**
 * @deprecated host lists are {@link dev.vigil.api.cluster.Hostlist}, shared with the Slurm bridge.
 *     This forwarder is kept only for ControllerConfig, which is being rewritten elsewhere: once it
 *     imports {@code dev.vigil.api.cluster.Hostlist} (and calls {@code expandNonEmpty}), delete it.
 */
@Deprecated(forRemoval = true)
public final class Hostlist {
    private Hostlist() {
    }

    public static List<String> expand(String expression, String field) {
        return dev.vigil.api.cluster.Hostlist.expandNonEmpty(expression, field);
    }
}
