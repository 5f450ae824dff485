package dev.vigil.api.mig;

import java.util.List;

/**
 * A layout change that would serve work waiting on idle capacity: {@code GET /v1/mig/plan}.
 *
 * @param node   the node
 * @param gpus   the GPUs to change (all idle now)
 * @param from   their config now ({@code current} when none was asked)
 * @param to     the config proposed
 * @param why    the numbers behind it, e.g. {@code 3 jobs wait for 12×1g.10gb (oldest 14m); GPUs 4-5 idle whole}
 * @param serves how many waiting GPUs or slices the change would let start
 */
public record MigProposal(String node, List<Integer> gpus, String from, String to, String why, int serves) {
    public MigProposal {
        gpus = List.copyOf(gpus);
    }
}
