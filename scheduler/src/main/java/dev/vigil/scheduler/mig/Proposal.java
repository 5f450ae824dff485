package dev.vigil.scheduler.mig;

import java.util.List;

/**
 * A layout change the advisor proposes: some idle GPUs of one node, from one config to another.
 *
 * @param node       the node
 * @param gpus       the GPUs' indices, ascending
 * @param fromConfig the config they are in, or null when unknown
 * @param toConfig   the config to put them in
 * @param why        the numbers behind it, for people
 * @param serves     the waiting units (GPUs or slices) it would let start
 */
public record Proposal(String node, List<Integer> gpus, String fromConfig, String toConfig, String why, int serves) {
    public Proposal {
        gpus = List.copyOf(gpus);
    }
}
