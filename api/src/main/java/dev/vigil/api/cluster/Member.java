package dev.vigil.api.cluster;

/**
 * A controller member.
 *
 * @param name    its configured name
 * @param address its discovery address
 * @param up      whether it is in the cluster now
 * @param leader  whether it runs the leader's loops
 */
public record Member(String name, String address, boolean up, boolean leader) {
}
