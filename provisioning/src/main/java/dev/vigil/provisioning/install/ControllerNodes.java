package dev.vigil.provisioning.install;

import java.io.IOException;

/**
 * The controller's view of nodes, as far as provisioning needs it: an install is done when the
 * controller says the node is ready, not when SSH says the command exited. An upgrade also drains
 * a node first and returns it after.
 */
public interface ControllerNodes {
    /** A node as the controller shows it: its state ({@code ready}, ...) and its agent's version. */
    record Node(String name, String state, String agentVersion) {
    }

    /** The node, or null while the controller does not know it. */
    Node node(String name) throws IOException, InterruptedException;

    /** Asks the controller to drain the node (move its work off), with a reason for the audit log. */
    void drain(String name, String reason) throws IOException, InterruptedException;

    /** Returns a drained node to service. */
    void resume(String name, String reason) throws IOException, InterruptedException;
}
