package dev.vigil.sim.cluster;

/**
 * Whether a job could run on the cluster with nothing else running, and on how few leaf switches:
 * what a replay needs to leave out jobs no scheduler could ever start, and to judge a gang's
 * placement against the best one possible.
 */
public sealed interface IdleFit {
    /** It fits; a gang's fewest leaves (1 for anything on one node). */
    record Fits(int leaves) implements IdleFit {
    }

    /** It never fits; why, for people. */
    record NeverFits(String why) implements IdleFit {
    }
}
