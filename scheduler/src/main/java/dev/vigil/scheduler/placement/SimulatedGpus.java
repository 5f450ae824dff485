package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

import java.util.List;

/** A job played on simulated GPUs keeps off real ones: there it would show running and succeeded while nothing ran. */
record SimulatedGpus() implements NodeFilter {
    @Override
    public boolean rejects(Node node) {
        return !node.simulated();
    }

    @Override
    public String why(Node node) {
        return "real GPUs, where a simulated job would not run";
    }

    @Override
    public String describe() {
        return " with simulated GPUs";
    }

    @Override
    public String summary(List<Node> rejected, String model) {
        int real = rejected.size();
        return "; the simulated backend never runs a job on real GPUs (" + real + (real == 1 ? " node reads" : " nodes read")
                + " real " + model + " GPUs, where nothing would run): name a backend that runs jobs";
    }
}
